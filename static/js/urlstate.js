// Every URL parameter in one declarative table (as TensorFlow Playground's state.ts):
// read once at start, written on every change. Config fields use the API's names
// (except `lr`), so a URL is also a /api/v1/snapshot query.
//
// The table is the server's (GET /api/v1/meta `url`: engine/config.py FIELDS and
// app/urlstate.py PAGE_PARAMS), installed by useMeta() before the first read: the page
// keeps no copy of its own that could drift from what the server parses.

export const CONFIG_PARAMS = []; // [url name, API field, type]
export const PAGE_PARAMS = {};   // name: [type, default]
export const FIELD_TYPE = {};    // API field -> type
export const URL_NAME = {};      // API field -> URL name
export const FIELD_OF = {};      // URL name -> API field
export let COMPARE_PREFIX = "b_";
export const PAGE_VALUES = {};   // page parameter -> RegExp of the values the page can draw

/** Install the URL table of a /meta payload (the objects above keep their identity). */
export function useMeta(meta) {
  const { config, page, compare_prefix: prefix } = meta.url;
  CONFIG_PARAMS.splice(0, CONFIG_PARAMS.length, ...config.map((p) => [p.url, p.field, p.type]));
  for (const table of [PAGE_PARAMS, FIELD_TYPE, URL_NAME, FIELD_OF]) {
    for (const key of Object.keys(table)) delete table[key];
  }
  for (const key of Object.keys(PAGE_VALUES)) delete PAGE_VALUES[key];
  for (const [name, p] of Object.entries(page)) {
    PAGE_PARAMS[name] = [p.type, p.default];
    if (p.pattern) PAGE_VALUES[name] = new RegExp(p.pattern); // app/page_params.py: a link it cannot draw
  }
  for (const [url, field, type] of CONFIG_PARAMS) {
    FIELD_TYPE[field] = type;
    URL_NAME[field] = url;
    FIELD_OF[url] = field;
  }
  COMPARE_PREFIX = prefix;
}

// The open lesson's view (its page parameters, engine/lessons/<name>.json): what a page
// parameter is when the URL leaves it out, so a link names only what differs from the lesson.
let lessonView = {};

/** Open a lesson's view: page parameters the URL `search` does not name take the lesson's
 * values (all of them when `search` is null: a lesson just picked from the menu). */
export function useLessonView(view, page, search = location.search) {
  lessonView = { ...(view ?? {}) };
  const query = new URLSearchParams(search ?? "");
  for (const [name, [, fallback]] of Object.entries(PAGE_PARAMS)) {
    if (search === null && ["view", "scale", "sel", "sample", "phase", "speed"].includes(name)) page[name] = fallback;
    if (name in lessonView && !query.has(name)) page[name] = lessonView[name];
  }
}

export function parse(type, text) {
  switch (type) {
    case "int": return Number.parseInt(text, 10);
    case "float": return text.trim() === "" ? NaN : Number(text); // Number("") is 0: lr= was η 0
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

/** A URL value as its type; undefined when the page cannot read it ("abc" for a number, "4,x"
 * for a list of numbers, JSON that does not parse). */
export function readValue(type, text) {
  const value = parse(type, text);
  const isNaN = (v) => typeof v === "number" && Number.isNaN(v);
  return value === undefined || isNaN(value) || (Array.isArray(value) && value.some(isNaN)) ? undefined : value;
}

/** {config: sparse API fields given in the URL, page: every page parameter, unread: the
 * parameters given that the page could not read ("lr=abc", "step=-1"), left out (and said). */
export function readUrl(search = location.search) {
  const query = new URLSearchParams(search);
  const config = {};
  const page = {};
  const unread = [];
  for (const [name, [type, fallback]] of Object.entries(PAGE_PARAMS)) {
    if (!query.has(name)) { page[name] = fallback; continue; }
    const value = readValue(type, query.get(name));
    const drawable = value !== undefined && (!PAGE_VALUES[name] || PAGE_VALUES[name].test(value));
    page[name] = drawable ? value : fallback; // else a link the page cannot draw
    if (!drawable) unread.push(`${name}=${query.get(name)}`);
  }
  for (const [name, text] of query) {
    const field = FIELD_OF[name];
    if (field === undefined) continue;
    const value = readValue(FIELD_TYPE[field], text);
    if (value !== undefined) config[field] = value;
    else unread.push(`${name}=${text}`);
  }
  return { config, page, unread };
}

/** The URL of a config and page state: only what differs from the page defaults. */
export function buildQuery(config, page) {
  const query = new URLSearchParams();
  for (const [url, field, type] of CONFIG_PARAMS) {
    if (config[field] !== undefined) query.set(url, format(type, config[field]));
  }
  for (const [name, [type, fallback]] of Object.entries(PAGE_PARAMS)) {
    const base = name in lessonView ? lessonView[name] : fallback;
    if (page[name] !== undefined && page[name] !== base) query.set(name, format(type, page[name]));
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

// Compare mode's run B in the URL (compare.js): here, so that writing the address does not need
// compare mode's module, which the page fetches only when compare mode opens.
/** b_* parameters of a query as API fields. */
export function readCompare(search = location.search) {
  const out = {};
  for (const [name, text] of new URLSearchParams(search)) {
    if (!name.startsWith(COMPARE_PREFIX)) continue;
    const field = FIELD_OF[name.slice(COMPARE_PREFIX.length)];
    if (!field || field === "preset") continue; // B differs from A in settings; another lesson is another page
    // what the page cannot read goes to the server as written, which says why it is refused
    // (b_lr=abc was NaN, sent as null: B ran with A's η, compared with itself)
    const value = readValue(FIELD_TYPE[field], text);
    out[field] = value === undefined ? text : value; // not ??: b_clip=none is null, read
  }
  return out;
}

export function compareQuery(overrides) {
  return Object.entries(overrides).map(([field, v]) => [`${COMPARE_PREFIX}${URL_NAME[field]}`, format(FIELD_TYPE[field], v)]);
}
