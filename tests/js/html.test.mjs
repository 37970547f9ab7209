// Text into HTML (static/js/html.js): one escaper for the page's markup, one for Plotly's.
import { test } from "node:test";
import assert from "node:assert/strict";
import { esc, escText } from "../../static/js/html.js";

test("text for an element or attribute has no markup left, quotes included", () => {
  assert.equal(esc('W<l>:<i> & "b"'), "W&lt;l&gt;:&lt;i&gt; &amp; &quot;b&quot;");
  assert.equal(esc(0.5), "0.5");
});

test("text for a Plotly annotation keeps its quotes, which Plotly's markup would print as &quot;", () => {
  assert.equal(escText('W<l>:<i> & "b"'), 'W&lt;l&gt;:&lt;i&gt; &amp; "b"');
});
