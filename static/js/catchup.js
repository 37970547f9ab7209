// While playing, frames arrive up to 40 times a second, but a plotly redraw is slow: what plots
// the run's course (the history plots, compare's run B, the side plots) catches up with the
// frames shown twice a second instead, on the model's "catchup" event (detail: the States
// streamed since the last one, oldest first): on the frames the stream sends with the side
// plots' numbers, else on a timer. Not playing, those views follow "history".
//
// On a slow machine the plots' redraws cost more, and every one of them holds back the
// network's next frame: a turn then waits until the plots have spent at most PLOT_SHARE of the
// time since the last one (the plots catch up less often; the network keeps its frame rate).
import { emit, model, on } from "./store.js";

export const CATCHUP_MS = 500;
export const PLOT_SHARE = 0.2;

/** `drawnMs()`: the milliseconds the plots have spent drawing so far (plots.js plotMs);
 * `now()`: a clock in milliseconds. */
export function mountCatchUp({ drawnMs = () => 0, now = () => performance.now() } = {}) {
  let states = [];
  let timer = null;
  let carried = false; // the stream brings the side plots' numbers with a frame twice a second
  let last = { at: -Infinity, drawn: 0 }; // the last turn, and the plots' time then
  const flush = () => {
    if (!states.length) return;
    // what the plots drew since the last turn (its redraws, done by now) sets the wait
    const turn = { at: now(), drawn: drawnMs() };
    if (turn.at - last.at < (turn.drawn - last.drawn) / PLOT_SHARE) return;
    last = turn;
    const shown = states;
    states = [];
    emit("catchup", shown);
  };
  on("state", ({ state, streamed }) => {
    if (!streamed) return;
    states.push(state);
    // A frame that came with the side plots' numbers (app/stream.py `include`): catch up on
    // it, while the numbers are those of the State shown, so the views need not ask for them.
    if (model.run?.extras?.step === state.step) {
      carried = true;
      flush();
    }
  });
  on("playing", (playing) => {
    clearInterval(timer);
    carried = false;
    last = { at: -Infinity, drawn: drawnMs() };
    if (playing) {
      timer = setInterval(() => { if (!carried) flush(); }, CATCHUP_MS);
    } else {
      states = []; // the pause's own State and history follow, whole
    }
  });
}
