// The page's one notice line (#toast): an error, "link copied", or a change that offers its way
// back (a button in the notice, kept longer).
const SHOWN_MS = 3500;
const SHOWN_WITH_ACTION_MS = 10000;
let timer = null;

/** Say `text`; `action` ({label, run}) adds a button (undo) that runs it and hides the notice. */
export function toast(text, action = null) {
  const el = document.getElementById("toast");
  el.textContent = text;
  if (action) {
    const button = Object.assign(document.createElement("button"), { id: "toast-action", textContent: action.label });
    button.addEventListener("click", () => { el.hidden = true; action.run(); });
    el.append(" ", button);
  }
  el.hidden = false;
  clearTimeout(timer);
  timer = setTimeout(() => { el.hidden = true; }, action ? SHOWN_WITH_ACTION_MS : SHOWN_MS);
}
