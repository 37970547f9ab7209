// Every URL parameter in one declarative table (as TensorFlow Playground's state.ts):
// read once at start, written on every change. Config fields use the API's names
// (except `lr`), so a URL is also a /api/v1/snapshot query.

export const CONFIG_PARAMS = [
  // [url name, API field, type]
  ["preset", "preset", "str"], ["dataset", "dataset", "str"], ["data", "data", "json"],
  ["n_samples", "n_samples", "int"], ["noise", "noise", "float"], ["test_ratio", "test_ratio", "float"],
  ["hidden", "hidden", "list"], ["activation", "activation", "str"],
  ["output_activation", "output_activation", "str"], ["loss", "loss", "str"], ["init", "init", "str"],
  ["init_scale", "init_scale", "float"], ["weights", "weights", "json"], ["optimizer", "optimizer", "str"],
  ["lr", "learning_rate", "float"], ["momentum", "momentum", "float"], ["beta1", "beta1", "float"],
  ["beta2", "beta2", "float"], ["eps", "eps", "float"], ["schedule", "schedule", "str"],
  ["decay", "decay", "float"], ["decay_steps", "decay_steps", "int"], ["clip", "clip", "float?"],
  ["clip_mode", "clip_mode", "str"], ["l1", "l1", "float"], ["l2", "l2", "float"],
  ["batch_norm", "batch_norm", "bool"], ["batch_size", "batch_size", "int"], ["seed", "seed", "int"],
];

export const PAGE_PARAMS = {
  // name: [type, default]
  step: ["int", 0], phase: ["str", ""], sel: ["str", ""], view: ["str", "gradients"],
  sample: ["str", "mean"], scale: ["str", "layer"], palette: ["str", "default"], theme: ["str", "dark"],
  lang: ["str", ""], speed: ["int", 1], row: ["int", 0], quiz: ["str", ""],
  pics: ["str", "auto"], // pictures inside the nodes: auto (small 2-D nets), 1, 0
};

const FIELD_TYPE = Object.fromEntries(CONFIG_PARAMS.map(([, field, type]) => [field, type]));
const URL_NAME = Object.fromEntries(CONFIG_PARAMS.map(([url, field]) => [field, url]));
const FIELD_OF = Object.fromEntries(CONFIG_PARAMS.map(([url, field]) => [url, field]));

export function parse(type, text) {
  switch (type) {
    case "int": return Number.parseInt(text, 10);
    case "float": return Number(text);
    case "float?": return text === "" || text === "none" ? null : Number(text);
    case "bool": return ["1", "true", "yes", "on"].includes(text.toLowerCase());
    case "list": return text === "" ? [] : text.split(",").map((v) => Number.parseInt(v, 10));
    case "json": // JSON, or "@<code>" of a value the server stores (app/blobs.py)
      if (text.startsWith("@")) return text;
      try { return JSON.parse(text); } catch { return undefined; }
    default: return text;
  }
}

export function format(type, value) {
  switch (type) {
    case "bool": return value ? "1" : "0";
    case "list": return value.join(",");
    case "json": return typeof value === "string" ? value : JSON.stringify(value);
    case "float?": return value === null ? "none" : String(value);
    default: return String(value);
  }
}

/** {config: sparse API fields given in the URL, page: every page parameter}. */
export function readUrl(search = location.search) {
  const query = new URLSearchParams(search);
  const config = {};
  const page = {};
  for (const [name, [type, fallback]] of Object.entries(PAGE_PARAMS)) {
    page[name] = query.has(name) ? parse(type, query.get(name)) : fallback;
    if (type === "int" && !Number.isFinite(page[name])) page[name] = fallback;
  }
  for (const [name, text] of query) {
    const field = FIELD_OF[name];
    if (field === undefined) continue;
    const value = parse(FIELD_TYPE[field], text);
    if (value !== undefined && !(typeof value === "number" && Number.isNaN(value))) config[field] = value;
  }
  return { config, page };
}

/** The URL of a config and page state: only what differs from the page defaults. */
export function buildQuery(config, page) {
  const query = new URLSearchParams();
  for (const [url, field, type] of CONFIG_PARAMS) {
    if (config[field] !== undefined) query.set(url, format(type, config[field]));
  }
  for (const [name, [type, fallback]] of Object.entries(PAGE_PARAMS)) {
    if (page[name] !== undefined && page[name] !== fallback) query.set(name, format(type, page[name]));
  }
  return query.toString();
}

export function writeUrl(config, page, extra = []) {
  const params = new URLSearchParams(buildQuery(config, page));
  for (const [name, value] of extra) params.set(name, value);
  const query = params.toString();
  const url = `${location.pathname}${query ? "?" + query : ""}`;
  if (url !== location.pathname + location.search) history.replaceState(null, "", url);
}

export { FIELD_OF, FIELD_TYPE, URL_NAME };
