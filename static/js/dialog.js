// Modal dialogs (help, share): while one is open, Tab and Shift+Tab cycle inside it and Escape
// closes it; closing gives the focus back to whatever had it before (the button that opened it).

const FOCUSABLE = "a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), "
  + "textarea:not([disabled]), [tabindex]:not([tabindex='-1'])";

const returnTo = new WeakMap(); // dialog -> the element focused before it opened

function focusables(dialog) {
  return [...dialog.querySelectorAll(FOCUSABLE)].filter((el) => el.offsetParent !== null || el === document.activeElement);
}

export function openDialog(dialog, first = null) {
  if (!dialog.hidden) return;
  returnTo.set(dialog, document.activeElement);
  dialog.hidden = false;
  (first ?? focusables(dialog)[0])?.focus();
}

export function closeDialog(dialog) {
  if (dialog.hidden) return;
  if (dialog.contains(document.activeElement)) document.activeElement.blur(); // a hidden button keeps no keys
  dialog.hidden = true;
  const back = returnTo.get(dialog);
  returnTo.delete(dialog);
  if (back && back.isConnected && back !== document.body) back.focus();
}

export function isOpen(dialog) { return !dialog.hidden; }

/** Keep Tab inside the dialog and let Escape close it. */
export function trapFocus(dialog) {
  dialog.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation(); // the page's own Escape (clear the selection) is not meant
      closeDialog(dialog);
      return;
    }
    if (event.key !== "Tab") return;
    const items = focusables(dialog);
    if (!items.length) { event.preventDefault(); return; }
    const first = items[0];
    const last = items.at(-1);
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
      event.preventDefault();
      first.focus();
    }
  });
  // a click on the dimmed backdrop closes; focus that wanders out (a click elsewhere) comes back
  dialog.addEventListener("mousedown", (event) => { if (event.target === dialog) closeDialog(dialog); });
  document.addEventListener("focusin", (event) => {
    if (!dialog.hidden && !dialog.contains(event.target)) focusables(dialog)[0]?.focus();
  });
}
