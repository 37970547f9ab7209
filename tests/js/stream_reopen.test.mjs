// A stream the server ends after its longest time (reason max_seconds) is followed by the next
// one while the student still plays; any other end pauses the page and says why.
import { test } from "node:test";
import assert from "node:assert/strict";

const opened = [];
class FakeEventSource {
  constructor(url) { this.url = url; this.listeners = {}; this.closed = false; opened.push(this); }
  addEventListener(name, fn) { this.listeners[name] = fn; }
  close() { this.closed = true; }
  end(reason) { this.listeners.end({ data: JSON.stringify({ reason, step: 7 }) }); }
}
globalThis.EventSource = FakeEventSource;

const { RunModel } = await import("../../static/js/run.js");

function playing() {
  const run = new RunModel();
  run.id = "r1";
  run.state = { step: 0 };
  const said = [];
  run.on?.("ended", (end) => said.push(end));
  run.pause = () => { run.playing = false; run.stream = null; said.push("paused"); };
  run.play({ rate: 30, stepsPerFrame: 1 });
  return { run, said };
}

test("a stream ended after its longest time is followed by the next one", () => {
  opened.length = 0;
  const { run, said } = playing();
  opened[0].end("max_seconds");
  assert.equal(opened.length, 2);
  assert.ok(opened[0].closed);
  assert.equal(opened[1].url, opened[0].url);
  assert.equal(run.stream, opened[1]);
  assert.equal(run.playing, true);
  assert.deepEqual(said, []);
});

test("a stream that ends for another reason pauses the page", () => {
  opened.length = 0;
  const { run, said } = playing();
  opened[0].end("diverged");
  assert.equal(opened.length, 1);
  assert.equal(run.playing, false);
  assert.ok(said.includes("paused"));
});
