// The browser tests' window into the page (window.__bpx): it exists only when asked for — by a
// test that defines window.__bpx before the page's scripts run (tests/browser/conftest.py adds
// that init script). A student's page carries no test hook.

import { model, on } from "./store.js";

const asked = typeof window !== "undefined" && window.__bpx !== undefined;

/** The hook object, or null when no test asked for one. */
export const hook = asked ? window.__bpx : null;

export function expose(values) {
  if (hook) Object.assign(hook, values);
}

if (hook) hook.model = model;

/** What the tests wait on: the step shown, its run, how many States were drawn, and when the
 * first was (ms since navigation: the first meaningful paint). */
export function mountTestHook() {
  if (!hook) return;
  on("state", ({ state }) => {
    hook.step = state.step;
    hook.runId = model.runId;
    hook.rendered = (hook.rendered || 0) + 1;
    if (hook.firstRender === undefined) hook.firstRender = performance.now();
  });
}
