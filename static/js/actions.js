// The verbs a student applies to the run: a step, the next phase, an epoch, reset, jump, play and
// pause. The toolbar's buttons, the keys and the views that offer one (the quiz jumps) all call
// these; each goes through the run model (run.js) and is counted by busy().
import { busy } from "./busy.js";
import { t } from "./i18n.js";
import { reachable } from "./pagerun.js";
import { BIG_NET, model, on, phases, setPage } from "./store.js";
import { toast } from "./toast.js";

export const STREAM_RATE = 40; // states a second while playing; the canvas draws at the display's rate
// While a big net plays, frames carry what the view draws: the edges' matrix, activations and δ.
const STREAM_FIELDS = "step,epoch,lr,loss,penalty,diverged,grad_norm,clipped,metrics,batch,layers.activation,"
  + "layers.a,layers.delta,layers.grad_norm";
const VIEW_FIELD = { weights: "layers.W", gradients: "layers.dW", applied: "layers.dW_applied" };

/** The stream play asks for: `speed` steps a frame; a big net's frames are compact and carry
 * only the fields its network view draws (app/frames.py); the weights, when the view draws
 * another matrix, only in the frames every half second that bring the image layer's matrices
 * whole (for the weight pictures; the network takes only its shape from them); of the
 * per-sample arrays (the inputs, a, δ), the one sample the network shows, or the batch mean. */
export function playOptions(nParams, speed, view, sample = "mean") {
  if (nParams <= BIG_NET) return { rate: STREAM_RATE, stepsPerFrame: speed, params: {} };
  const params = { fields: `${STREAM_FIELDS},${VIEW_FIELD[view]}`, format: "compact" };
  if (view !== "weights") params.whole_fields = "layers.W";
  params.sample = sample ?? "mean"; // of the per-sample arrays that row, or the batch mean (app/sampled.py)
  return { rate: STREAM_RATE, stepsPerFrame: speed, params };
}

/** The phase after `phase` in a step's `list` of phases ("" shows the whole step); after the
 * update the run steps and the next step's first phase shows. */
export function phaseAfter(list, phase) {
  if (phase === "update") return { phase: list[0], step: true };
  return { phase: phase === "" ? list[0] : list[list.indexOf(phase) + 1], step: false };
}

/** Steps in one epoch: the batches that cover every row once (batch size 0: the whole set). */
export function epochSteps(rows, batchSize) {
  const size = batchSize === 0 ? rows : Math.min(batchSize, rows);
  return Math.ceil(rows / size);
}

const holders = [];

/** A view that reveals the phases itself (the quiz: by answering its question) holds them while
 * `check()` says so; → and the phase button then do nothing. */
export function holdPhases(check) { holders.push(check); }

export function step(n = 1) {
  model.page.phase = "";
  return busy(() => model.run.step(n));
}

export async function nextPhase() {
  if (holders.some((holds) => holds())) return;
  const next = phaseAfter(phases(model.state.layers.length), model.page.phase);
  if (next.step) {
    model.page.phase = next.phase;
    await busy(() => model.run.step(1));
    return;
  }
  setPage({ phase: next.phase });
}

export function epoch() {
  return step(epochSteps(model.data.total, model.resolved.batch_size));
}

export function reset() {
  model.page.phase = "";
  return busy(() => model.run.reset());
}

export function jump(target) {
  if (!Number.isInteger(target) || target < 0) return undefined;
  model.page.phase = "";
  return busy(() => model.run.jump(reachable(target)));
}

/** A diverged run's numbers stay NaN or ∞ whatever it does next: playing on moves only the
 * step. Said, with the way out, when Play is pressed or a stream ends there. */
function sayDiverged(step) {
  toast(t("play.diverged", { step }), { label: t("play.reset"), run: reset });
}

/** Play, or pause when playing. */
export function play() {
  if (model.playing) { busy(() => model.run.pause()); return; }
  if (!model.state) return;
  if (model.state.diverged) { sayDiverged(model.state.diverged_at ?? model.state.step); return; }
  model.page.phase = "";
  model.run.play(playOptions(model.nParams, model.page.speed, model.page.view, model.page.sample));
}

/** Play on with what the page now asks of the stream. */
function replay() {
  if (!model.playing) return;
  model.run.pauseNow();
  play();
}

/** Another speed is another stream; so is another view or sample of a big net, whose frames
 * carry only what its view draws. Mounted before the views, so they draw with the new stream
 * asked for. */
export function mountActions() {
  on("ended", ({ reason, step }) => {
    if (reason === "diverged") sayDiverged(model.state?.diverged_at ?? step);
    else if (reason === "limit") toast(t("play.limit", { step }));
  });
  on("page", (changes) => {
    if ("speed" in changes || (("view" in changes || "sample" in changes) && model.nParams > BIG_NET)) replay();
  });
}
