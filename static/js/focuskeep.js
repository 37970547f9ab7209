// Views drawn anew (replaceChildren, innerHTML) keep the keyboard's place: the element that had
// the focus inside them is found again in what they drew, by its id or its data-focus key, and
// takes the focus back. Without it the focus fell to the page's body at each redraw: a settings
// field after a change, a phase chip, a + on the network, the tour's Next (keyboard sweep).

/** Calls `redraw()`; if the focus was inside `root`, the new element with the same id or
 * data-focus value takes it again (else `fallback`, a selector in `root`, when given). One that
 * is disabled in the redraw (a + while its run restarts) takes it at the next redraw, unless the
 * focus has gone somewhere else meanwhile. */
export function keepingFocus(root, redraw, fallback = null) {
  const had = document.activeElement;
  const inside = Boolean(had) && had !== root && root.contains(had);
  const lost = !had || had === document.body;
  const wanted = inside ? focusKey(had) : lost ? root.dataset.focusWanted ?? null : null;
  redraw();
  delete root.dataset.focusWanted;
  if (!inside && !wanted) return;
  if (document.activeElement !== root && root.contains(document.activeElement)) return;
  let again = (wanted && root.querySelector(wanted)) || (fallback && root.querySelector(fallback));
  if (again?.disabled && fallback) again = root.querySelector(fallback) ?? again; // Back on the first card: Next
  if (!again) return;
  if (again.disabled) root.dataset.focusWanted = wanted ?? "";
  else again.focus();
}

/** A selector that finds an element again in a redraw: its id, else its data-focus value. */
export function focusKey(el) {
  if (el.id) return `#${CSS.escape(el.id)}`;
  if (el.dataset?.focus !== undefined) return `[data-focus="${CSS.escape(el.dataset.focus)}"]`;
  return null;
}
