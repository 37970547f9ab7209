// Whether a panel is on screen. A panel off screen fetches nothing for a Step: it remembers
// that its numbers are stale and catches up once when it scrolls into view (issue #15: a Step
// is one request, plus at most the visible panels whose data changed).

/** Watch `el`; `onShow()` runs each time it comes into view. Returns () => is it in view now,
 * with `.offScreen()`: whether it is known to be out of view (not before the first report). */
export function watchVisible(el, onShow) {
  if (typeof IntersectionObserver !== "function") { // no way to know: fetch as before
    const always = () => true;
    always.offScreen = () => false;
    return always;
  }
  let visible = false;
  let reported = false;
  new IntersectionObserver((entries) => {
    const now = entries.at(-1).isIntersecting;
    const shown = now && !visible;
    visible = now;
    reported = true;
    if (shown) onShow();
  }).observe(el);
  const inView = () => visible;
  inView.offScreen = () => reported && !visible;
  return inView;
}

/** A panel's turn to fetch: at once when it is in view, else on its next coming into view.
 * `fetch` is called at most once per call of the returned function (when in view) or once on
 * showing, however many turns it missed. The function has `.offScreen()` (watchVisible). */
export function whenVisible(el, fetch) {
  let stale = false;
  const inView = watchVisible(el, () => {
    if (!stale) return;
    stale = false;
    fetch();
  });
  const turn = () => {
    if (inView()) { stale = false; fetch(); } else stale = true;
  };
  turn.offScreen = inView.offScreen;
  return turn;
}
