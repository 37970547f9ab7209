// The page's one notice line (#toast): an error, "link copied", or a change that offers its way
// back (a button in the notice, shown longer).
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
  timer = setTimeout(() => { el.hidden = true; }, action ? 10000 : 3500); // ms: time to reach the undo
}
