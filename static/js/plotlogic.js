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
