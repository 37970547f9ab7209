// The page's run: created from the page's settings (model.config) at start and whenever they
// change — a control, a lesson, your own data, an imported run, compare mode — with compare
// mode's run B beside it. The model's "run" event tells the views the runs are new; the State
// and the history follow.
import { api } from "./api.js";
import { busy } from "./busy.js";
import { t } from "./i18n.js";
import { BIG_NET, emit, model, phases } from "./store.js";
import { toast } from "./toast.js";
import { useLessonView } from "./urlstate.js";

// Longer JSON than this (imported weights, big custom data) is stored on the server and the
// URL names it as @<code>: every view stays a URL that a server accepts (app/blobs.py).
const URL_INLINE_CHARS = 2000;

/** Whether a config value travels in the URL as it is (else it is stored, and the URL names it). */
export function fitsUrl(value) {
  return !value || typeof value === "string" || JSON.stringify(value).length <= URL_INLINE_CHARS;
}

/** A big net's State at rest: every field the panels read in `view` (GET /meta's state_fields;
 * the penalty's share of ∂L/∂W is drawn by none, the update applied only by the Update view,
 * which asks for it when it opens: networkpanel.js). "layers" would select every layer field. */
export function restFields({ top, layer }, view) {
  const drawn = (k) => k !== "dW_penalty" && (k !== "dW_applied" || view === "applied");
  return [...top.filter((k) => k !== "layers"), ...layer.filter(drawn).map((k) => `layers.${k}`)].join(",");
}

/** How a big net's State at rest is asked for: packed (app/frames.py), the fields `view` draws,
 * of the per-sample arrays only the sample the network shows (app/sampled.py), and of an image
 * layer's matrices that no view on screen draws whole only the edges the network draws
 * (`edges_only`). The panels that print numbers or read other samples (inspector, quiz, tour)
 * ask for the exact State. `run`: the page's, or compare mode's run B, whose view draws the
 * network alone (no weight pictures: its image matrices come as their rows' top). */
export function restParams(model, run = model.run) {
  const page = model.page;
  const fields = restFields(model.meta.state_fields, page.view);
  const params = { format: "compact", fields, sample: page.sample ?? "mean" };
  if (model.data?.input_shape?.length === 2) {
    const edges = IMAGE_MATRICES.filter((f) => fields.split(",").includes(f) && !run.drawsWhole(f));
    if (edges.length) params.edges_only = edges.join(",");
  }
  return params;
}

const IMAGE_MATRICES = ["layers.W", "layers.dW", "layers.dW_applied"];

/** Whether the run's inputs are points in a plane: the page then fetches rows to draw. */
export function planar(config) {
  return config.dataset !== "digits" && (config.dataset !== "custom" || config.data.x[0].length === 2);
}

/** The settings with `fields` changed; another built-in data set drops the custom rows. */
export function withFields(config, fields) {
  const out = { ...config, ...fields };
  if (fields.dataset && fields.dataset !== "custom") delete out.data;
  return out;
}

/** A whole config (an imported run's) as a link carries it: only what differs from the defaults. */
export function sparseConfig(config, defaults) {
  return Object.fromEntries(Object.entries(config).filter(([k, v]) => JSON.stringify(v) !== JSON.stringify(defaults[k])));
}

/** The lesson called `name` in /meta's list, or null. */
export function lessonOf(meta, name) {
  return meta.presets.find((p) => p.name === name) ?? null;
}

async function storeBigValues(config) {
  for (const field of ["weights", "data"]) {
    if (!fitsUrl(config[field])) config[field] = (await api.storeValue(config[field])).ref;
  }
}

/** The step a jump or a link can reach: a run replays at most max_replay_steps (100,000) from
 * its start. A step past it is said, and the last step there is shown (a jump stopped at the
 * server's refusal, part-way, with the refusal's words for a message). */
export function reachable(target) {
  const most = model.meta.limits.max_replay_steps;
  if (target <= most) return target;
  toast(t("jump.past_limit", { step: target, most }));
  return most;
}

/** A new run from model.config (or the `existing` one just created, an import), shown at `targetStep`. */
export async function newRun(targetStep = 0, existing = null) {
  model.run.pauseNow();
  model.nodeMaps = model.health = null; // another network: the last one's pictures and flags go
  await busy(async () => {
    await storeBigValues(model.config);
    let created = existing;
    try {
      created ??= await api.create(model.config);
    } catch (error) {
      if (!model.resolved) { // a broken link: say why, then open the default lesson rather than nothing
        toast(error.message);
        model.config = { preset: "xor" };
        created = await api.create(model.config);
      } else {
        throw error;
      }
    }
    model.run.adopt(created);
    model.run.restParams = created.n_params > BIG_NET ? () => restParams(model) : {};
    model.runId = created.id;
    model.resolved = created.config;
    model.nParams = created.n_params;
    // a phase this net has not (a link's phase=bogus, or forward:5 of a net of two layers): the
    // whole step, as the page cannot show a part that is not there (it drew nothing)
    if (model.page.phase && !phases(created.config.hidden.length + 1)?.includes(model.page.phase)) model.page.phase = "";
    model.data = await api.data(model.runId, "train", planar(created.config) ? 2000 : 1);
    if (model.data.input_shape.length === 2 && !new URLSearchParams(location.search).has("sample")) {
      model.page.sample = "0"; // an image: show one real digit, not the blur of a batch mean
    }
    try {
      await model.compare?.start(model.config, model.compare.overrides);
    } catch (error) { // B's settings refused (a link's b_lr=-1): A alone, and why B is not there
      toast(t("compare.refused", { why: error.message }), { label: t("compare.label"), run: () => document.getElementById("btn-compare").click() });
      await model.compare.start(model.config, {}); // no overrides: compare mode off
    }
    emit("run");
    if (targetStep > 0) await model.run.jump(reachable(targetStep));
    else await model.run.load();
  });
}

/** A changed setting restarts the run at step 0; refused, the settings go back to those of the
 * run that goes on — a field changed before keeps that value (the model's "config" event). */
export function changeFields(fields) {
  const running = model.config;
  model.config = withFields(running, fields);
  Object.assign(model.page, { step: 0, phase: "", sel: "", sample: "mean" });
  const before = model.resolved;
  return newRun(0).then(() => {
    if (model.resolved !== before) return;
    model.config = running;
    emit("config", fields);
  });
}

/** A lesson: its settings alone, opened with the views that show its point. */
export function openLesson(name) {
  model.config = { preset: name };
  Object.assign(model.page, { step: 0, phase: "", sel: "", sample: "mean" });
  useLessonView(lessonOf(model.meta, name)?.view, model.page, null);
  return newRun(0);
}

/** An imported run (POST /runs/import's answer), with its weights, becomes the page's run. */
export function openImported(run) {
  model.config = sparseConfig(run.config, model.meta.defaults);
  Object.assign(model.page, { step: 0, phase: "", sel: "" });
  return newRun(0, run);
}
