// While playing, frames arrive up to 40 times a second, but a plotly redraw is slow: what plots
// the run's course (the history plots, compare's run B, the side plots) catches up with the
// frames shown twice a second instead, on the model's "catchup" event (detail: the States
// streamed since the last one, oldest first). Not playing, those views follow "history".
import { emit, on } from "./store.js";

export const CATCHUP_MS = 500;

export function mountCatchUp() {
  let states = [];
  let timer = null;
  on("state", ({ state, streamed }) => { if (streamed) states.push(state); });
  on("playing", (playing) => {
    clearInterval(timer);
    if (playing) {
      timer = setInterval(() => {
        if (!states.length) return;
        const shown = states;
        states = [];
        emit("catchup", shown);
      }, CATCHUP_MS);
    } else {
      states = []; // the pause's own State and history follow, whole
    }
  });
}
