// Text put into HTML the page builds as strings (the inspector, the quiz, the tour) and into
// Plotly's annotations, which read their text as HTML too. Pure: runs under node --test.

const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };

/** Text for an element or an attribute value. */
export const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ENTITIES[c]);

/** Text for a Plotly annotation: its markup knows &amp;, &lt; and &gt; but not &quot;, so a
 * quote stays as it is (a server's "W<layer>:<i>:<j>" would otherwise lose its <i> to italics). */
export const escText = (s) => String(s).replace(/[&<>]/g, (c) => ENTITIES[c]);
