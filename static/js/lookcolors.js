// The look's colours as the stylesheet sets them (look.js: data-theme and data-palette on
// <html>), read once per look: the canvas and the plots ask in every frame while playing, and
// reading the computed style after the frame's writes made the page recalculate its style.

const kept = new Map(); // the names asked for -> {look, colors}

/** `names` ({pos: "--pos", …}, one object per caller) with the stylesheet's values, the same
 * object for as long as the look stays. */
export function lookColors(names) {
  const { theme, palette } = document.documentElement.dataset;
  const look = `${theme}|${palette}`;
  const memo = kept.get(names);
  if (memo?.look === look) return memo.colors;
  const css = getComputedStyle(document.documentElement);
  const colors = Object.fromEntries(Object.entries(names).map(([key, name]) => [key, css.getPropertyValue(name).trim()]));
  if (Object.values(colors).some(Boolean)) kept.set(names, { look, colors }); // (none before the stylesheet applies)
  return colors;
}
