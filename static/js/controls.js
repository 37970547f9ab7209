// Every RunConfig option has a labelled control with a one-line title, grouped as
// data / network / training. A change restarts the run cleanly (main.js).
import { t } from "./i18n.js";
import { toast } from "./toast.js";

export const GROUPS = {
  data: ["dataset", "n_samples", "noise", "test_ratio", "seed"],
  network: ["hidden", "activation", "output_activation", "loss", "init", "init_scale", "batch_norm"],
  training: ["optimizer", "learning_rate", "batch_size", "schedule", "decay", "decay_steps", "momentum", "beta1",
             "beta2", "eps", "clip", "clip_mode", "l1", "l2"],
};
const NUMBER_STEP = { noise: 0.01, test_ratio: 0.05, init_scale: 0.1, learning_rate: "any", momentum: 0.01,
                      beta1: 0.001, beta2: 0.0001, eps: "any", decay: 0.05, clip: "any", l1: 0.001, l2: 0.001 };

function control(field, meta, value, onChange) {
  const id = `f-${field}`;
  const wrap = document.createElement("div");
  wrap.className = "field";
  const label = document.createElement("label");
  label.htmlFor = id;
  label.textContent = t(`field.${field}`);
  label.title = t(`field.${field}.title`);
  let input;
  const choices = meta.choices[field];
  if (choices) {
    input = document.createElement("select");
    for (const choice of choices) {
      const option = document.createElement("option");
      option.value = choice;
      option.textContent = t(`choice.${choice}`);
      input.append(option);
    }
    input.value = value;
  } else if (typeof meta.defaults[field] === "boolean") {
    input = document.createElement("input");
    input.type = "checkbox";
    input.checked = Boolean(value);
  } else {
    input = document.createElement("input");
    input.type = field === "hidden" ? "text" : "number";
    if (input.type === "number") {
      input.step = NUMBER_STEP[field] ?? 1;
      const spec = meta.fields.find((f) => f.name === field); // the server's range (engine/config.py FIELDS)
      if (spec?.min !== undefined) input.min = String(spec.min);
      if (spec?.max !== undefined) input.max = String(spec.max);
    }
    input.value = field === "hidden" ? value.join(",") : value ?? "";
    if (field === "clip") input.placeholder = t("field.clip.none");
    if (field === "hidden") input.placeholder = "4,2";
  }
  input.id = id;
  input.name = field;
  input.title = t(`field.${field}.title`);
  const commit = () => {
    let v;
    if (input.type === "checkbox") v = input.checked;
    else if (field === "hidden") v = input.value.trim() === "" ? [] : input.value.split(",").map((s) => Number.parseInt(s, 10));
    else if (input.type === "number") v = input.value === "" ? (field === "clip" ? null : undefined) : Number(input.value);
    else v = input.value;
    if (v !== undefined) { onChange(field, v); return; }
    // "abc" (or nothing) in a number's field: the browser gives "", the run keeps its value, and
    // the field shows it again rather than a blank that reads as a setting
    input.value = value ?? "";
    toast(t("field.not_a_number", { field: t(`field.${field}`), value: value ?? "" }));
  };
  if (input.tagName === "SELECT") onChosen(input, commit);
  else input.addEventListener("change", commit);
  wrap.append(label, input);
  return wrap;
}

export const ARROWED_WAIT_MS = 700;

/** `apply()` once a menu's choice is made: at once with the mouse, or Enter; after a pause
 * while the arrow keys go through the choices of a closed menu, whose every press fires
 * "change" (arrowing down the lesson menu to the fourth lesson loaded the three on the way,
 * the digit net among them). Leaving the menu applies a choice still waiting. */
export function onChosen(select, apply, waitMs = ARROWED_WAIT_MS) {
  let keyed = false;
  let timer = null;
  const now = () => { clearTimeout(timer); timer = null; apply(); };
  select.addEventListener("keydown", (event) => {
    keyed = event.key !== "Enter" && event.key !== "Tab";
    if (event.key === "Enter" && timer !== null) now();
  });
  select.addEventListener("change", () => {
    clearTimeout(timer);
    timer = null;
    if (!keyed) { apply(); return; }
    keyed = false;
    timer = setTimeout(now, waitMs);
  });
  select.addEventListener("blur", () => { if (timer !== null) now(); });
  select.addEventListener("pointerdown", () => { keyed = false; });
}

/** Whether a setting changes anything in this config: one that does not is not shown (the
 * chain lesson's one example has no "Samples 200"; plain SGD has no momentum). */
export function applies(field, c) {
  const custom = c.dataset === "custom";
  switch (field) {
    case "n_samples": case "noise": return !custom; // your own rows are the data as given
    case "init": case "init_scale": return !c.weights; // explicit first weights
    case "momentum": return ["momentum", "nesterov"].includes(c.optimizer);
    case "beta1": return c.optimizer === "adam";
    case "beta2": return ["adam", "rmsprop"].includes(c.optimizer);
    case "eps": return ["adagrad", "rmsprop", "adam"].includes(c.optimizer);
    case "decay": case "decay_steps": return c.schedule !== "constant";
    case "clip_mode": return c.clip !== null && c.clip !== undefined;
    default: return true;
  }
}

export function renderControls(el, meta, resolved, onChange) {
  const open = new Set([...el.querySelectorAll("details[open]")].map((d) => d.dataset.group));
  el.replaceChildren();
  for (const [group, fields] of Object.entries(GROUPS)) {
    const details = document.createElement("details");
    details.dataset.group = group;
    details.open = open.size ? open.has(group) : true;
    const summary = document.createElement("summary");
    summary.textContent = t(`group.${group}`);
    // the network's size beside its settings (it shared the line under the network with the
    // loss and the accuracy, where a phone's or the digit net's phases had no room left)
    if (group === "network") summary.insertAdjacentHTML("beforeend", ' <span class="muted n-params" id="n-params"></span>');
    details.append(summary);
    for (const field of fields) if (applies(field, resolved)) details.append(control(field, meta, resolved[field], onChange));
    el.append(details);
  }
}

export function renderLessons(select, meta, current) {
  select.replaceChildren();
  const custom = document.createElement("option");
  custom.value = "";
  custom.textContent = t("lesson.custom");
  select.append(custom);
  for (const preset of meta.presets) {
    const option = document.createElement("option");
    option.value = preset.name;
    option.textContent = t(preset.texts.title);
    select.append(option);
  }
  select.value = current ?? "";
}
