// Compare mode: run B differs from run A in the settings given as `b_<field>` URL parameters
// (b_optimizer=adam, b_activation=relu, b_lr=3, …). B follows A step for step, is drawn beside
// it, and its loss and gradient norms are overlaid on A's plots (dashed).
import { busy } from "./busy.js";
import { nodeFlags } from "./health.js";
import { t } from "./i18n.js";
import { BIG_NET, fmt, model } from "./store.js";
import { NetworkView } from "./network.js";
import { NodeMarks } from "./nodepictures.js";
import { restParams } from "./pagerun.js";
import { RunModel } from "./run.js";

// label: an i18n key, with `vars(config)`; `when(config)`: offered only where the label is true
// of network A ("SGD vs Adam" in the Adam lesson compared Adam with Adam)
export const SUGGESTIONS = [
  { label: "compare.sgd_adam", when: (c) => c.optimizer === "sgd", b: { optimizer: "adam", learning_rate: 0.01 } },
  { label: "compare.vs_relu", when: (c) => c.activation !== "relu", vars: (c) => ({ a: valueWords(c.activation) }),
    b: { activation: "relu", init: "he" } },
  { label: "compare.lr", a: { learning_rate: 0.03 }, b: { learning_rate: 3 } },
  { label: "compare.batch_norm", when: (c) => !c.batch_norm, b: { batch_norm: true } },
];

/** The settings in which `to` differs from `from` (two lessons' configs), with `to`'s values. */
export function differences(from, to) {
  return Object.fromEntries(Object.entries(to).filter(([k, v]) => JSON.stringify(from[k]) !== JSON.stringify(v)));
}

/** The compare menu for network A's `config` (its lesson) and `resolved` settings: first the
 * lessons its lesson's text asks to compare with (network B takes their settings where they
 * differ: "Compare with momentum, Adagrad and Adam"), then the general suggestions true of A.
 * Each is {label, vars, a?, b}. */
export function suggestionsFor(presets, config, resolved) {
  const lesson = presets.find((p) => p.name === config.preset);
  const lessons = (lesson?.compare ?? []).map((name) => {
    const other = presets.find((p) => p.name === name);
    return { label: "compare.with_lesson", vars: { title: t(other.texts.title) }, b: differences(lesson.config, other.config) };
  });
  const general = SUGGESTIONS.filter((s) => !s.when || s.when(resolved))
    .map((s) => ({ label: s.label, vars: s.vars?.(resolved) ?? {}, a: s.a, b: s.b }));
  return [...lessons, ...general];
}

/** A setting's value in the page's words: "ReLU", "He", "Adam", "on", a number as the page
 * prints it; never the raw "relu". */
export function valueWords(value) {
  if (typeof value === "boolean") return t(value ? "compare.value_on" : "compare.value_off");
  if (typeof value === "number") return fmt.num(value, 4);
  if (Array.isArray(value)) return value.join(",");
  if (value === null || value === undefined) return t("compare.value_none");
  const key = `choice.${value}`;
  return t(key) === key ? String(value) : t(key);
}

/** "Activation = ReLU, Initialiser = He": the settings in which a run differs, with its values. */
export function describeSettings(fields, config) {
  return fields.map((field) => `${t(`field.${field}`)} = ${valueWords(config[field])}`).join(t("compare.sep"));
}

/** The same, short, for a pane too narrow for it: a choice by its value alone ("Adam",
 * "ReLU"), a number by its symbol when the setting's name ends in one ("η = 0.001"). */
export function describeShort(fields, config) {
  return fields.map((field) => {
    const value = config[field];
    if (typeof value === "string") return valueWords(value);
    const symbol = t(`field.${field}`).split(" ").at(-1);
    const named = typeof value === "number" && !/[A-Za-z]/.test(symbol) ? symbol : t(`field.${field}`);
    return `${named} = ${valueWords(value)}`;
  }).join(t("compare.sep"));
}

/** Run B: a RunModel of its own (run.js) that follows run A's step, drawn in a second
 * NetworkView, its dead and saturated neurons marked as A's are (on `marks`, an overlay canvas).
 * Emits "history" when B's history changed (the plots overlay it). */
export class Compare extends EventTarget {
  constructor(canvas, tooltip, label, labelA = null, marks = null) {
    super();
    this.view = new NetworkView(canvas, tooltip);
    this.marks = marks ? new NodeMarks(marks, this.view, () => this.view.colors(), "marksB") : null;
    this.label = label;
    this.labelA = labelA;
    this.words = "";
    this.labelled = ""; // the words last measured: a narrower pane may cut what a wider one had room for
    addEventListener("resize", () => { this.labelled = ""; });
    this.overrides = {};
    this.run = null;
    this.page = null;
  }

  get active() { return Object.keys(this.overrides).length > 0; }
  get runId() { return this.run?.id ?? null; }
  get state() { return this.run?.state ?? null; }
  get history() { return this.run?.history ?? null; }
  get resolved() { return this.run?.resolved ?? null; }

  /** B's edge scales as its pane draws them (per layer, or one for all), or null when B is off. */
  scales() { return this.active && this.view.state ? this.view.scales() : null; }

  async start(configA, overrides) {
    this.overrides = overrides;
    this.run = null;
    this.marks?.set({ flags: new Map() });
    if (!this.active) return;
    const run = new RunModel();
    await run.create({ ...configA, ...overrides });
    // A big net's State at rest as the page's own is asked for (packed, the view's fields, the
    // sample shown): the digit net's whole float64 State is ~1 MB a step.
    run.restParams = run.nParams > BIG_NET ? () => restParams(model, run) : {};
    // B's neuron health comes with each of its steps, as A's does (healthview.js): a big net's
    // not while playing (it costs a forward pass), when B keeps the marks it has
    run.want("neurons", () => !(model.playing && run.nParams > BIG_NET));
    run.addEventListener("state", (e) => {
      const neurons = run.extras?.step === e.detail.state.step ? run.extras.neurons : null;
      if (neurons && this.marks) this.marks.set({ flags: nodeFlags(neurons) });
      this.view.setState(e.detail.state, this.inputShape);
      if (this.page) this.draw(this.page);
      this.dispatchEvent(new CustomEvent("state")); // the legend names B's scale too (networkpanel.js)
    });
    run.addEventListener("history", () => this.dispatchEvent(new CustomEvent("history")));
    this.run = run;
    this.relabel();
  }

  /** Bring B to A's step. Calls overlap (keys pressed faster than the server answers, a
   * stream's plot flushes): RunModel.follow queues them and skips all but the newest target,
   * so B never steps twice for one step of A. */
  follow(step, page, inputShape) {
    this.page = page;
    this.inputShape = inputShape;
    if (!this.run) return Promise.resolve();
    return this.run.follow(step);
  }

  /** Both panes say what differs, A with its own values, in the page's language: both in
   * short when a pane is too narrow for the words (they stay the labels' tooltips). */
  relabel() {
    if (!this.active || !this.resolved) return;
    const fields = Object.keys(this.overrides);
    const panes = [[this.label, "B", this.resolved], [this.labelA, "A", model.resolved]].filter(([l, , c]) => l && c);
    const words = panes.map(([, name, config]) => `${name}: ${describeSettings(fields, config)}`);
    if (this.labelled === words.join("\n")) return; // drawn every frame: laid out only when the words change
    panes.forEach(([label], i) => { label.title = label.textContent = words[i]; });
    this.words = words[0];
    if (panes.some(([label]) => label.clientWidth === 0)) return; // hidden: measured once shown
    this.labelled = words.join("\n");
    if (panes.some(([label]) => label.scrollWidth > label.clientWidth)) {
      for (const [label, name, config] of panes) label.textContent = `${name}: ${describeShort(fields, config)}`;
    }
  }

  draw(page) {
    this.relabel(); // the language may have changed
    if (!this.state || this.lacks(page)) return;
    this.view.setOptions({ view: page.view, scale: page.scale, sample: page.sample, phase: page.phase, sel: "" });
    this.label.title = `${this.words} · ${t("loss.label")} ${fmt.num(this.state.loss, 6)}`;
  }

  /** Whether B's State lacks what the page draws now (a big net's State at rest carries one
   * sample's rows, and the update applied only for the Update view): then it is asked for
   * again, once, and B keeps the picture it has until it comes. */
  lacks(page) {
    const run = this.run;
    const sample = page.sample ?? "mean";
    const lacking = !run.hasSample(sample) ? `sample ${sample}`
      : page.view === "applied" && !run.has("layers.dW_applied") ? "applied" : null;
    if (lacking !== null) run.refreshFor(lacking, busy);
    return lacking !== null;
  }

  /** Dashed traces of B for the loss and gradient-norm plots. */
  traces() {
    if (!this.history) return null;
    const h = this.history;
    return {
      loss: [{ x: h.step, y: h.loss, name: "B", mode: "lines", line: { dash: "dash", width: 1.5 } }],
      grad: h.grad_norms[0]?.map((_, l) => ({ x: h.step, y: h.grad_norms.map((n) => n[l]), name: `B W${l}`,
                                                mode: "lines", line: { dash: "dash", width: 1 } })) ?? [],
    };
  }
}
