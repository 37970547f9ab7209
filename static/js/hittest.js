// Which node or edge is under the pointer, and the selection names the URL carries
// (`n:<col>:<i>`, `e:<layer>:<i>:<j>`). Pure: runs without a browser (tests/js/hittest.test.mjs).

export function parseSelection(sel) {
  if (!sel) return null;
  const [kind, ...nums] = sel.split(":");
  const n = nums.map(Number);
  if (n.some((v) => !Number.isInteger(v) || v < 0)) return null;
  if (kind === "e" && n.length === 3) return { kind, l: n[0], i: n[1], j: n[2] };
  if (kind === "n" && n.length === 2) return { kind, col: n[0], i: n[1] };
  return null;
}

export function selectionName(target) {
  if (!target) return "";
  return target.kind === "e" ? `e:${target.l}:${target.i}:${target.j}` : `n:${target.col}:${target.i}`;
}

export function segmentDistance(px, py, x1, y1, x2, y2) {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const t = Math.max(0, Math.min(1, ((px - x1) * dx + (py - y1) * dy) / (dx * dx + dy * dy || 1)));
  return Math.hypot(px - (x1 + t * dx), py - (y1 + t * dy));
}

/** The node within 4 px of (x, y), else the nearest edge within its width (at least 5 px). */
export function hitTest(drawn, x, y) {
  for (const n of drawn.nodes) {
    if (!n.image && Math.hypot(x - n.x, y - n.y) <= n.r + 4) return { kind: "n", col: n.col, i: n.i, x, y };
  }
  let best = null;
  for (const e of drawn.edges) {
    const d = segmentDistance(x, y, e.x1, e.y1, e.x2, e.y2);
    if (d < Math.max(5, e.width) && (!best || d < best.d)) best = { d, e };
  }
  return best ? { kind: "e", l: best.e.l, i: best.e.i, j: best.e.j, x, y } : null;
}
