// The browser tests' window into the page (window.__bpx): it exists only when asked for — by a
// test that defines window.__bpx before the page's scripts run (tests/browser/conftest.py adds
// that init script). A student's page carries no test hook.

const asked = typeof window !== "undefined" && window.__bpx !== undefined;

/** The hook object, or null when no test asked for one. */
export const hook = asked ? window.__bpx : null;

export function expose(values) {
  if (hook) Object.assign(hook, values);
}
