// The toolbar and the keys: Step, next phase, epoch, reset, play/pause with its speed, the step
// field (type a step to jump there), copy link, help, and the phone's ⋯ that unfolds the rest.
// Buttons and keys call the same verbs (actions.js).
import { epoch, jump, nextPhase, play, reset, step } from "./actions.js";
import { writeAddress } from "./address.js";
import { closeDialog, openDialog, trapFocus } from "./dialog.js";
import { t } from "./i18n.js";
import { bindKeys, renderHelp } from "./keys.js";
import { model, on, setPage } from "./store.js";
import { expose } from "./testhook.js";
import { toast } from "./toast.js";

const $ = (id) => document.getElementById(id);
const icon = (d) => `<svg viewBox="0 0 24 24" width="16" height="16" aria-hidden="true"><path fill="currentColor" d="${d}"/></svg>`;
const PLAY_ICON = icon("M7 4v16l13-8z");
const PAUSE_ICON = icon("M6 4h4v16H6zM14 4h4v16h-4z");

/** `g`: an empty field for the step to jump to (the current step stays visible as its placeholder),
 * so that typing 500 means 500 and not the current step with 500 appended. */
function openJump() {
  const input = $("step-input");
  input.placeholder = String(model.state?.step ?? "");
  input.value = "";
  const from = document.activeElement;
  jumpedFrom = from && from !== document.body && from !== input ? from : null;
  input.focus();
}

/** Where the keyboard was before `g` (else the network, which shows the step jumped to): focus
 * goes back there after the jump or Escape, not to the page's body, where a screen reader loses
 * its place. The keys' shortcuts work there as on the body. */
let jumpedFrom = null;
function leaveJump() {
  const back = jumpedFrom?.isConnected && !jumpedFrom.closest("[hidden]") ? jumpedFrom : $("network");
  jumpedFrom = null;
  back.focus();
}

async function copyLink() {
  writeAddress();
  expose({ copied: location.href });
  try { // the clipboard can refuse (no permission) or never answer (headless): do not wait on it forever
    await Promise.race([navigator.clipboard.writeText(location.href),
                        new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), 1500))]);
    toast(t("toast.copied"));
  } catch {
    toast(location.href);
  }
}

function toggleHelp() {
  if ($("help").hidden) openDialog($("help"), $("help-close"));
  else closeDialog($("help"));
}

/** The key's action (keys.js names it) → the verb. */
export const KEY_VERBS = {
  play, phase: nextPhase, step: () => step(1), epoch, reset, copy: copyLink, jump: openJump, help: toggleHelp,
  escape: () => { if (model.page.sel) setPage({ sel: "" }); },
};

export function mountToolbar() {
  $("btn-step").addEventListener("click", () => step(1));
  $("btn-phase").addEventListener("click", nextPhase);
  $("btn-epoch").addEventListener("click", epoch);
  $("btn-reset").addEventListener("click", reset);
  $("btn-play").addEventListener("click", play);
  on("playing", (playing) => {
    $("btn-play").innerHTML = playing ? PAUSE_ICON : PLAY_ICON;
    $("btn-play").setAttribute("aria-pressed", String(playing));
  });
  $("speed").value = String(model.page.speed);
  $("speed").addEventListener("change", () => setPage({ speed: Number($("speed").value) })); // playing: a new stream (actions.js)
  $("step-input").addEventListener("change", () => {
    const target = Number.parseInt($("step-input").value, 10);
    leaveJump(); // back to the keyboard shortcuts
    jump(target);
  });
  $("step-input").addEventListener("keydown", (e) => { if (e.key === "Escape") leaveJump(); });
  $("step-input").addEventListener("blur", () => { if (model.state) $("step-input").value = model.state.step; });
  $("btn-copy").addEventListener("click", copyLink);
  $("btn-more").addEventListener("click", () => { // a phone's header: one row until asked for the rest
    const open = $("topbar").classList.toggle("open");
    $("btn-more").setAttribute("aria-expanded", String(open));
  });
  $("btn-help").addEventListener("click", () => openDialog($("help"), $("help-close")));
  $("help-close").addEventListener("click", () => closeDialog($("help")));
  trapFocus($("help"));
  renderHelp($("help-keys"));
  on("page", (changes) => { if ("lang" in changes) renderHelp($("help-keys")); });
  bindKeys((action) => {
    if (action.startsWith("view:")) setPage({ view: action.slice(5) });
    else KEY_VERBS[action]?.();
  });
}
