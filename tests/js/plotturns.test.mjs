// plotly is handed out one caller per task, the page's own plots first (static/js/plots.js).
import { test } from "node:test";
import assert from "node:assert/strict";

globalThis.window = {}; // plotly arrives later, as the page's script tag brings it
const { ready, readyAfter } = await import("../../static/js/plots.js");

test("the page's plots draw before the panels', each in a task of its own", async () => {
  const order = [];
  let task = 0; // which macrotask a caller resumed in: a chain of timers counts them
  let done = false;
  const count = () => { task++; if (!done) setTimeout(count, 0); };
  const draw = async (name, turn) => { await turn; order.push([name, task]); };
  const drawn = [draw("lab", readyAfter), draw("loss", ready), draw("why", readyAfter), draw("grad", ready)];
  window.Plotly = {};
  setTimeout(count, 0);
  await Promise.all(drawn);
  done = true;
  assert.deepEqual(order.map(([name]) => name), ["loss", "grad", "lab", "why"]);
  const tasks = order.map(([, t]) => t);
  assert.equal(new Set(tasks).size, tasks.length, `one caller per task: ${tasks}`);
});
