// While playing, frames arrive up to 40 times a second, but a plotly redraw is slow: what plots
// the run's course (the history plots, compare's run B, the side plots) catches up with the
// frames shown twice a second instead, on the model's "catchup" event (detail: the States
// streamed since the last one, oldest first): on the frames the stream sends with the side
// plots' numbers, else on a timer. Not playing, those views follow "history".
import { emit, model, on } from "./store.js";

export const CATCHUP_MS = 500;

export function mountCatchUp() {
  let states = [];
  let timer = null;
  let carried = false; // the stream brings the side plots' numbers with a frame twice a second
  const flush = () => {
    if (!states.length) return;
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
    if (playing) {
      timer = setInterval(() => { if (!carried) flush(); }, CATCHUP_MS);
    } else {
      states = []; // the pause's own State and history follow, whole
    }
  });
}
