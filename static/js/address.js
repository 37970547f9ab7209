// The address bar as a view of the page model: every view is a URL. It follows each State the
// page settles on and each page change (not every streamed frame); a link written now is the
// page as shown.
import { model, on } from "./store.js";
import { buildQuery, compareQuery, writeUrl } from "./urlstate.js";

const compareFields = () => compareQuery(model.compare?.overrides ?? {});

/** The page's query: its settings, what it shows, and compare mode's run B (b_ fields). */
export function pageQuery() {
  return [buildQuery(model.config, model.page), ...compareFields().map(([k, v]) => `${k}=${encodeURIComponent(v)}`)]
    .filter(Boolean).join("&");
}

/** Put the page as shown into the address bar. */
export function writeAddress() {
  writeUrl(model.config, model.page, compareFields());
}

export function mountAddress() {
  on("state", ({ streamed }) => { if (!streamed) writeAddress(); });
  on("page", () => { if (!model.playing) writeAddress(); });
}
