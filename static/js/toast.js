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
  clearOf(el, document.activeElement);
  clearTimeout(timer);
  timer = setTimeout(() => { el.hidden = true; }, action ? 10000 : 3500); // ms: time to reach the undo
}

/** The notice at the bottom, or at the top where it would cover what has the focus (editing the
 * plane's points by keyboard, its "data changed… Undo" hid the cursor and the points). */
function clearOf(el, focus) {
  el.classList.remove("toast-top");
  if (!focus || focus === document.body) return;
  const [a, b] = [el.getBoundingClientRect(), focus.getBoundingClientRect()];
  const covers = a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  if (covers) el.classList.add("toast-top");
}
