// Compare mode: run B differs from run A in the settings given as `b_<field>` URL parameters
// (b_optimizer=adam, b_activation=relu, b_lr=3, …). B follows A step for step, is drawn beside
// it, and its loss and gradient norms are overlaid on A's plots (dashed).
import { api } from "./api.js";
import { t } from "./i18n.js";
import { fmt, model } from "./store.js";
import { NetworkView } from "./network.js";
import { COMPARE_PREFIX, FIELD_OF, FIELD_TYPE, format, parse, URL_NAME } from "./urlstate.js";

export const SUGGESTIONS = [ // label: an i18n key
  { label: "compare.sgd_adam", b: { optimizer: "adam", learning_rate: 0.01 } },
  { label: "compare.sigmoid_relu", b: { activation: "relu", init: "he" } },
  { label: "compare.lr", a: { learning_rate: 0.03 }, b: { learning_rate: 3 } },
  { label: "compare.batch_norm", b: { batch_norm: true } },
];

/** b_* parameters of a query as API fields. */
export function readCompare(search = location.search) {
  const out = {};
  for (const [name, text] of new URLSearchParams(search)) {
    if (!name.startsWith(COMPARE_PREFIX)) continue;
    const field = FIELD_OF[name.slice(COMPARE_PREFIX.length)];
    if (field) out[field] = parse(FIELD_TYPE[field], text);
  }
  return out;
}

export function compareQuery(overrides) {
  return Object.entries(overrides).map(([field, v]) => [`${COMPARE_PREFIX}${URL_NAME[field]}`, format(FIELD_TYPE[field], v)]);
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
  return fields.map((field) => `${t(`field.${field}`)} = ${valueWords(config[field])}`).join(", ");
}

export class Compare {
  constructor(canvas, tooltip, label, labelA = null) {
    this.view = new NetworkView(canvas, tooltip);
    this.label = label;
    this.labelA = labelA;
    this.overrides = {};
    this.runId = null;
    this.state = null;
    this.history = null;
    this.queue = Promise.resolve(); // the syncs in flight, one after another
  }

  get active() { return Object.keys(this.overrides).length > 0; }

  async start(configA, overrides) {
    this.overrides = overrides;
    this.runId = this.state = this.history = null;
    if (!this.active) return;
    const run = await api.create({ ...configA, ...overrides });
    this.runId = run.id;
    this.resolved = run.config;
    this.relabel();
  }

  /** Bring B to A's step and fetch what the view and plots need. Calls overlap (keys pressed
   * faster than the server answers, a stream's plot flushes): they queue, and each brings B to
   * the newest step asked for, so B never steps twice for one step of A. */
  sync(step, page, inputShape) {
    this.target = { step, page, inputShape };
    const turn = this.queue.catch(() => {}).then(() => this.catchUp());
    this.queue = turn;
    return turn;
  }

  async catchUp() {
    const { step, page, inputShape } = this.target;
    if (!this.runId) return;
    if (this.state?.step === step) { this.draw(page); return; } // an earlier turn got here
    let current = (await api.run(this.runId)).step;
    if (current > step) { await api.reset(this.runId); current = 0; }
    const most = model.meta.limits.max_steps_per_request;
    for (let left = step - current; left > 0; left -= most) {
      await api.step(this.runId, Math.min(left, most), { fields: "step" });
    }
    this.state = await api.state(this.runId);
    this.history = await api.history(this.runId);
    this.view.setState(this.state, inputShape);
    this.draw(page);
  }

  /** Both panes say what differs, A with its own values, in the page's language. */
  relabel() {
    if (!this.active || !this.resolved) return;
    const fields = Object.keys(this.overrides);
    this.label.textContent = `B: ${describeSettings(fields, this.resolved)}`;
    if (this.labelA && model.resolved) this.labelA.textContent = `A: ${describeSettings(fields, model.resolved)}`;
  }

  draw(page) {
    this.relabel(); // the language may have changed
    if (!this.state) return;
    this.view.setOptions({ view: page.view, scale: page.scale, sample: page.sample, phase: page.phase, sel: "" });
    this.label.title = `loss ${fmt.num(this.state.loss, 6)}`;
  }

  /** Dashed traces of B for the loss and gradient-norm plots. */
  traces() {
    if (!this.history) return null;
    const h = this.history;
    return {
      loss: [{ x: h.step, y: h.loss, name: "B", mode: "lines", line: { dash: "dash", width: 1.5 } }],
      grad: h.grad_norms[0]?.map((_, l) => ({ x: h.step, y: h.grad_norms.map((n) => n[l]), name: `B W${l + 1}`,
                                                mode: "lines", line: { dash: "dash", width: 1 } })) ?? [],
    };
  }
}
