// plotly is handed out one caller per task, the page's own plots first (static/js/plots.js).
import { test } from "node:test";
import assert from "node:assert/strict";

globalThis.window = {}; // plotly arrives later, as the page's script tag brings it
const { paceToFrames, plotMs, ready, readyAfter } = await import("../../static/js/plots.js");

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

test("while playing a plot's turn comes after an animation frame, or after 100 ms without one", async () => {
  window.Plotly = {};
  const frames = [];
  globalThis.requestAnimationFrame = (fn) => frames.push(fn);
  const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
  await sleep(50); // plotly seen (plots.js polls for it)
  paceToFrames(true);
  let drawn = false;
  const first = (async () => { await ready; drawn = true; })();
  await sleep(30);
  assert.equal(drawn, false, "no frame drawn yet: the plot waits");
  frames.shift()();
  await first;
  let hidden = false; // a hidden tab draws no frames
  const second = (async () => { await ready; hidden = true; })();
  await sleep(40);
  assert.equal(hidden, false);
  await second;
  paceToFrames(false);
  let plain = false;
  await (async () => { await ready; plain = true; })();
  assert.ok(plain);
  delete globalThis.requestAnimationFrame;
});

test("the time plotly's functions take is counted, for the catch-up to pace itself by", async () => {
  const Plotly = await ready;
  Plotly.version = "x";
  Plotly.draw = function (ms) { // as a plot's redraw: work on the main thread, then a promise
    const end = performance.now() + ms;
    while (performance.now() < end);
    return Promise.resolve(this.version);
  };
  const before = plotMs();
  assert.equal(await Plotly.draw(30), "x", "its answer and its `this` are plotly's");
  const counted = plotMs() - before;
  assert.ok(counted >= 30 && counted < 200, `counted ${counted} ms`);
  assert.equal(Plotly.version, "x");
  Plotly.fail = () => { throw new Error("plotly failed"); };
  const after = plotMs();
  assert.throws(() => Plotly.fail(), /plotly failed/, "a call that throws: its error passes on");
  assert.ok(plotMs() >= after);
});
