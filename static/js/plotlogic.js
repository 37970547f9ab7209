// What the history plots do with new numbers, without a browser (plotsview.js draws).

/** New history rows (GET /history?since=…, or null when the history was replaced) while paused:
 * "extend" the curves by the rows (then the side plots' turn), "extend-redraw" when the rows
 * bring evaluations (their traces are drawn whole), "redraw" when the rows are not an append to
 * curves already drawn, "none" while playing (the frames feed the plots: "catchup"). */
export function historyPlan({ playing, rows, length, drawn }) {
  if (playing) return "none";
  if (!rows || length <= rows.step.length || !drawn) return "redraw";
  return rows.eval_step.length ? "extend-redraw" : "extend";
}

/** Streamed States as plot points: a State at step t carries the loss of update t (the history's
 * row t once t is applied), penalty included, and each layer's gradient norm. */
export function framePoints(states) {
  return {
    steps: states.map((st) => st.step),
    losses: states.map((st) => (st.loss === null ? null : st.loss + st.penalty)),
    norms: states.map((st) => st.layers.map((l) => l.grad_norm)),
  };
}

const SUPERSCRIPT = { "-": "⁻", 0: "⁰", 1: "¹", 2: "²", 3: "³", 4: "⁴", 5: "⁵", 6: "⁶", 7: "⁷", 8: "⁸", 9: "⁹" };

/** A tick's words: plain from 0.001 to 9999 (0.05, 0.2, 300), else m×10ᵏ; `powers`: powers of
 * ten all written as such (1 and 10 plain), as plotly writes them. */
function tickText(mantissa, power, powers) {
  const value = mantissa * 10 ** power;
  if (powers ? power === 0 || power === 1 : power >= -3 && power <= 3) return String(Number(value.toPrecision(1)));
  const exponent = [...String(power)].map((ch) => SUPERSCRIPT[ch]).join("");
  return `${mantissa === 1 ? "" : `${mantissa}×`}10${exponent}`;
}

/** A log axis's ticks over the positive finite values of `values`, each labelled with its whole
 * value: plotly's own, over a decade or two, labelled its minor ticks with their first digit
 * alone (… 7 8 9 10⁻¹ 2 3 …, where "2" meant 0.2). Where fewer than two of them would show,
 * null: plotly's own labels read well in so narrow a range. 1, 2, 3, 5 × 10ᵏ over up to two decades, 1, 3 × 10ᵏ
 * over three, then powers of ten (1, 2, 5, 10, … decades apart beyond six, on round powers: 10⁵⁰, 10¹⁰⁰). */
export function logTicks(values) {
  return ticksOver(positiveRange(values));
}

/** [lo, hi] of the positive finite values, widened from `range` (the values seen before). */
export function positiveRange(values, [lo, hi] = [Infinity, -Infinity]) {
  for (const v of values) {
    if (v > 0 && v < Infinity) { lo = Math.min(lo, v); hi = Math.max(hi, v); }
  }
  return [lo, hi];
}

/** logTicks over [lo, hi], the range of the values (positiveRange). */
export function ticksOver([lo, hi]) {
  if (!(hi > 0)) return null;
  const first = Math.floor(Math.log10(lo));
  const last = Math.ceil(Math.log10(hi));
  const decades = Math.log10(hi) - Math.log10(lo);
  const mantissas = decades <= 2 ? [1, 2, 3, 5] : decades <= 3 ? [1, 3] : [1];
  // powers of ten a label apart: 1, 2, 5, 10, 20, … decades, at most about six labels, on round powers
  const every = [1, 2, 5].flatMap((m) => [1, 10, 100].map((k) => m * k)).sort((a, b) => a - b)
    .find((e) => decades / e <= 6) ?? 1000;
  const tickvals = [];
  const ticktext = [];
  for (let power = first; power <= last; power++) {
    if (power % every) continue;
    for (const mantissa of mantissas) {
      tickvals.push(Number(`${mantissa}e${power}`)); // exact decimal: 3e-1, not 3 × 0.1
      ticktext.push(tickText(mantissa, power, mantissas.length === 1));
    }
  }
  // a narrow range between them (0.125 … 0.148): plotly's own, which reads well there (0.125, 0.13, …)
  if (tickvals.filter((v) => v >= lo && v <= hi).length < 2) return null;
  return { tickmode: "array", tickvals, ticktext };
}
