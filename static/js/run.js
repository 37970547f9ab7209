// The page's model of one run on the server: its id, config, the State shown and the history
// seen so far. Stepping, jumping, resetting, playing and pausing all go through here — for
// run A and for compare mode's run B alike — and each is one request whose answer is used:
// a step returns the new State, the history comes as what is new since the page's last step.
// Actions queue, so an answer never lands on a model that a later action already moved.
//
// Events: "state" (detail: {state, streamed}), "history" (detail: the rows just appended, or
// null when the history was replaced), "playing" (detail: true | false), "ended" (detail: the
// stream's end event, {reason: "diverged" | "limit" | "max_frames", step}).

import { api } from "./api.js";
import { decodeFrame } from "./frames.js";
import { parseJson } from "./numbers.js";
import { model } from "./store.js";


const ROW_KEYS = ["step", "loss", "lr", "grad_norms", "eval_step"];

/** `history` without an evaluation made at `step` (every series but the updates' rows): what the
 * plots show of the step shown in a phase before its loss (the measure over all the data at step
 * t reads the outputs a forward phase is yet to reach; a full batch's is the batch loss itself). */
export function withoutEvalAt(history, step) {
  const last = history.eval_step.length - 1;
  if (last < 0 || history.eval_step[last] !== step) return history;
  const out = { ...history };
  for (const key of Object.keys(history)) if (!ROW_KEYS.includes(key) || key === "eval_step") out[key] = history[key].slice(0, last);
  return out;
}

/** `history` followed by GET /history?since=…'s rows, as new arrays (the plots hold the old
 * ones); an evaluation series either side lacks is padded with null, so all stay aligned. */
export function appendHistory(history, rows) {
  const out = {};
  for (const key of ROW_KEYS) out[key] = [...history[key], ...(rows[key] ?? [])];
  const evalKeys = new Set([...Object.keys(history), ...Object.keys(rows)].filter((k) => !ROW_KEYS.includes(k)));
  for (const key of evalKeys) {
    out[key] = [...(history[key] ?? Array(history.eval_step.length).fill(null)),
                ...(rows[key] ?? Array((rows.eval_step ?? []).length).fill(null))];
  }
  return out;
}

/** Whether the server refused a request for its work (too many steps for this net at once). */
export const isBudget = (error) => Array.isArray(error?.detail) && error.detail[0]?.code === "budget";

export class RunModel extends EventTarget {
  constructor() {
    super();
    this.id = null;
    this.resolved = null;
    this.nParams = 0;
    this.state = null;
    this.history = null;
    this.playing = false;
    this.stream = null;
    this.queue = Promise.resolve();
    this.rows = new Map();
    // How a State at rest comes: {fields, format: "compact"} for big nets (app/frames.py), or a
    // function giving them for what the page shows now (the Update view's matrix only in it).
    this.restParams = {};
    this.askedFields = null; // the fields the last State at rest was asked with (null: all)
    this.askedSample = null; // the one sample whose rows it carries (app/sampled.py; null: every row)
    this.askedEdges = null; // the image layer's matrices it carries as their rows' top (edges_only)
    this.whole = new Map(); // "layers.W" … -> [() => whether a view on screen draws it whole]
    this.wants = new Map(); // part name -> () => whether a view draws it now (app/extras.py)
    this.refreshing = null; // what a refresh under way brings (refreshFor)
    this.extras = null; // the parts the last Step's answer carried: {step, preview, neurons, grid}
  }

  /** A view draws `part` (preview, neurons, grid) for each new step while `when()` holds: a
   * Step's answer carries it (app/extras.py), in the same round trip as the State. */
  want(part, when = () => true) {
    this.wants.set(part, when);
  }

  /** The parts a Step asks to carry: the history since the page's last step, and what views want. */
  stepParts() {
    const since = this.history ? this.history.step.length : 0;
    const parts = ["history", ...[...this.wants].filter(([, when]) => when()).map(([part]) => part)];
    return { include: parts.join(","), since };
  }

  /** The parts a stream carries twice a second: what the views want drawn while playing. */
  playedParts() {
    return [...this.wants].filter(([, when]) => when()).map(([part]) => part).join(",");
  }

  /** A stream's include and since: the played parts, and the history rows since the page's
   * (so that the pause that ends the stream carries only the last ones). */
  streamParts() {
    const played = this.playedParts();
    if (!this.history) return played ? { include: played } : {};
    return { include: ["history", ...(played ? [played] : [])].join(","), since: this.history.step.length };
  }

  /** Adopt a created run (POST /runs's answer). */
  adopt(created) {
    if (this.stream) this.stream.close(); // the old run: nothing more to ask it
    this.stream = null;
    if (this.playing) { this.playing = false; this.emit("playing", false); }
    this.id = created.id;
    this.resolved = created.config;
    this.nParams = created.n_params;
    this.state = null;
    this.history = null;
    this.extras = null;
    this.rows = new Map(); // training rows' inputs, as compact frames send them (frames.js)
    this.stepsAtOnce = null; // the most steps one request of this run may take, once a chunk was refused
  }

  async create(config) {
    this.adopt(await api.create(config));
    return this;
  }

  /** Run `work` after every action queued before it. */
  enqueue(work) {
    const turn = this.queue.catch(() => {}).then(work);
    this.queue = turn;
    return turn;
  }

  emit(name, detail) { this.dispatchEvent(new CustomEvent(name, { detail })); }

  setState(state, streamed = false) {
    this.state = state;
    this.emit("state", { state, streamed });
  }

  restOpts() { return typeof this.restParams === "function" ? this.restParams() : this.restParams; }

  /** The parameters of a request for a State at rest, remembering which fields it asks for. */
  stateOpts() {
    const params = this.restOpts();
    this.askedFields = params.fields ? new Set(params.fields.split(",")) : null;
    this.askedSample = params.sample ?? null;
    this.askedEdges = params.edges_only ? new Set(params.edges_only.split(",")) : null;
    return params;
  }

  /** A view draws the image layer's `field` (layers.W, layers.dW) whole while `when()` holds:
   * a big net's State at rest then carries it whole, else only each row's top (edges_only). */
  wantWhole(field, when) {
    this.whole.set(field, [...(this.whole.get(field) ?? []), when]);
  }

  drawsWhole(field) {
    return (this.whole.get(field) ?? []).some((when) => when());
  }

  /** Whether the State shown has the image layer's `field` whole, not only its rows' top. */
  hasWhole(field) {
    return this.askedEdges === null || !this.askedEdges.has(field);
  }

  /** Whether the State shown has the per-sample rows the network draws for `sample` (a row
   * number or "mean", as the page says), or with no `sample`, every row. */
  hasSample(sample = null) {
    return this.askedSample === null || this.askedSample === sample;
  }

  /** Whether the State shown came with `field` (e.g. "layers.dW_applied"). */
  has(field) {
    const asked = this.askedFields;
    return asked === null || asked.has(field) || (field.startsWith("layers.") && asked.has("layers"));
  }

  /** The State again, with the fields the page shows now (a view that needs one it lacks). */
  refresh() {
    return this.enqueue(async () => this.setState(this.readState(await api.state(this.id, this.stateOpts()))));
  }

  /** The State again, once for `lacking` (a name for what the State shown lacks: a sample's
   * rows, the update applied), however often a view finds it lacking before the answer comes;
   * `ask` runs the request (busy). The view keeps the picture it has till then. */
  refreshFor(lacking, ask) {
    if (this.refreshing === lacking) return;
    this.refreshing = lacking;
    ask(() => this.refresh()).finally(() => { if (this.refreshing === lacking) this.refreshing = null; });
  }

  readState(answer, params = null) {
    return (params ?? this.restOpts()).format === "compact" ? decodeFrame(answer, this.state, this.rows) : this.mergeFrame(answer);
  }

  /** Load the State and the whole history (a new run, or a page opened at some step). */
  load() {
    return this.enqueue(() => this.moveTo(0));
  }

  /** n updates: the last request returns the State the page draws. */
  step(n) {
    this.pauseNow();
    return this.enqueue(() => this.advance(n));
  }

  /** One request for the last chunk: its answer carries the State, the history since the
   * page's last step and what the views want drawn (app/extras.py). A big net may do fewer steps
   * a request than the limit (the server's work budget: the digit net ~2,700): a chunk refused
   * for its work is cut to the most the server says it allows (or halved, where it says none),
   * and that size kept for this run. A chunk refused
   * after others were taken (the replay limit, 100,000 steps) leaves the run where they took
   * it: the page shows that step, then says why it stopped. */
  async advance(n) {
    let left = n;
    let answer = null;
    while (left > 0) {
      const chunk = Math.min(left, this.stepsAtOnce ?? model.meta.limits.max_steps_per_request);
      try {
        answer = await api.step(this.id, chunk, left > chunk ? { fields: "step" } : { ...this.stateOpts(), ...this.stepParts() });
      } catch (error) {
        if (isBudget(error) && chunk > 1) {
          const most = error.detail[0].most; // the most this net may do at once, as the server says
          this.stepsAtOnce = most > 0 && most < chunk ? most : Math.ceil(chunk / 2);
          continue;
        }
        if (left < n) await this.fetchState();
        throw error;
      }
      left -= chunk;
    }
    if (answer) this.use(answer);
  }

  /** An answer with parts (stepParts): the State shown, the parts the views read, the history
   * rows appended (or the whole history, when the page had none). `redraw`: the plots redraw whole. */
  use({ state, history, ...extras }, redraw = false) {
    const shown = this.readState(state);
    this.extras = { ...extras, step: shown.step }; // before the State: its views read them
    this.setState(shown);
    const whole = !this.history;
    this.history = whole ? history : appendHistory(this.history, history);
    this.emit("history", whole || redraw ? null : history);
  }

  /** To step `target`: forward from here, or from step 0 when it lies behind. */
  jump(target) {
    this.pauseNow();
    return this.enqueue(() => this.moveTo(target));
  }

  /** Follow another run's step (compare mode): queued moves to older targets are skipped. */
  follow(target) {
    this.followTarget = target;
    return this.enqueue(() => (this.followTarget === target ? this.moveTo(target) : undefined));
  }

  async moveTo(target) {
    const at = this.state?.step ?? 0;
    if (this.state && target === at) return;
    if (target < at) { // the server goes back (from its nearest checkpoint): one request, the whole history
      this.history = null;
      this.use(await api.pause(this.id, target, { ...this.stateOpts(), ...this.stepParts() }));
      return;
    }
    if (target > at) {
      await this.advance(target - at);
      return;
    }
    // A run just opened: one request for the State, the whole history and what the views draw
    this.history = null;
    await this.fetchState();
  }

  reset() { return this.jump(0); }

  /** After someone else moved the run (quiz mode steps it itself): the server's State, and the
   * history rows the page lacks. */
  resync() {
    return this.enqueue(() => this.fetchState());
  }

  /** The server's State of this run as it stands, with the history rows the page lacks and what
   * the views draw, in one request (from inside the queue: its callers are queued). */
  async fetchState() {
    this.use(await api.state(this.id, { ...this.stateOpts(), ...this.stepParts() }));
  }

  /** Play: the server steps in real time and streams frames; each becomes the State shown. */
  play({ rate, stepsPerFrame, params = {} }) {
    if (this.playing || !this.state) return;
    this.playing = true;
    this.emit("playing", true);
    const url = api.streamUrl(this.id, { rate, steps_per_frame: stepsPerFrame, ...params, ...this.streamParts() });
    const stream = (this.stream = new EventSource(url));
    // Twice a second the numbers the views want drawn, and the history rows since the last
    // time, come before a frame, for that frame's step (app/stream.py): they are read with
    // it, as a Step's answer's are.
    stream.addEventListener("extras", (event) => {
      if (stream === this.stream) this.extras = parseJson(event.data);
    });
    stream.addEventListener("state", (event) => {
      if (stream !== this.stream) return;
      const frame = parseJson(event.data); // NaN and ±∞ come as names
      const extras = this.extras;
      if (extras?.history && extras.step === frame.step && this.history) {
        // Kept quietly: the plots follow the frames while playing and redraw whole on the pause,
        // which then asks only for the rows since this frame (stepParts).
        this.history = appendHistory(this.history, extras.history);
        delete extras.history;
      }
      this.setState(this.readState(frame, params), true);
    });
    const finish = () => { if (stream === this.stream) this.pause(); };
    // The server ended the stream itself: the run diverged, or reached the replay limit. The
    // page pauses, and says why ("ended"), or Play would look broken. A stream open for the
    // server's longest (max_seconds) is followed by the next one, the student still playing.
    stream.addEventListener("end", (event) => {
      const end = parseJson(event.data);
      if (stream === this.stream && end.reason === "max_seconds") {
        stream.close();
        this.stream = null;
        this.playing = false;
        this.play({ rate, stepsPerFrame, params });
        return;
      }
      if (stream === this.stream) this.emit("ended", end);
      finish();
    });
    stream.onerror = finish;
  }

  /** A streamed State with fewer fields keeps the fields it lacks from the State before. */
  mergeFrame(frame) {
    if (!this.state || !frame.layers) return { ...this.state, ...frame };
    const layers = frame.layers.map((layer, l) => ({ ...this.state.layers[l], ...layer }));
    return { ...this.state, ...frame, layers };
  }

  /** Stop the stream without asking the server anything (a new action follows at once). */
  pauseNow() {
    if (!this.stream && !this.playing) return false;
    if (this.stream) this.stream.close();
    this.stream = null;
    this.playing = false;
    this.emit("playing", false);
    this.pausedAt = this.state?.step;
    this.queue = this.queue.catch(() => {}).then(() => this.settle());
    return true;
  }

  /** After a stream: the server stops stepping and answers with the State it stopped at, so
   * the counter, the URL, every panel and the server agree; then the history it made. */
  async settle() {
    const answer = await api.pause(this.id, this.pausedAt, { ...this.stateOpts(), ...this.stepParts() });
    this.use(answer, true); // the plots drew the streamed frames: redraw them whole
  }

  pause() {
    this.pauseNow();
    return this.enqueue(() => {});
  }
}
