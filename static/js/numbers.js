// Numbers as a student reads them. JSON has no NaN or ±∞: the server names them "NaN",
// "Infinity" and "-Infinity" (docs/api.md), and here they become numbers again and are shown
// as NaN, ∞ and −∞ — never as 0 or a blank, which would hide that a run diverged.

const NAMED = new Map([["NaN", NaN], ["Infinity", Infinity], ["-Infinity", -Infinity]]);

/** JSON.parse, with the server's named non-finite numbers read back as numbers. */
export function parseJson(text) {
  // The reviver visits every value: pay for it only when a name can be in the text.
  if (!text.includes('NaN"') && !text.includes('Infinity"')) return JSON.parse(text);
  return JSON.parse(text, (_, v) => (typeof v === "string" && NAMED.has(v) ? NAMED.get(v) : v));
}

/** NaN, ∞ or −∞ for a non-finite number; null for a finite one (or no number at all). */
export function nonFinite(v) {
  if (typeof v !== "number" || Number.isFinite(v)) return null;
  return Number.isNaN(v) ? "NaN" : v > 0 ? "∞" : "−∞";
}

/** A number in at most `digits` significant digits; "—" for no value; NaN / ∞ / −∞ as such. */
export function formatNumber(v, digits = 4, small = 1e-3, large = 1e4) {
  if (v === null || v === undefined) return "—";
  const named = nonFinite(v);
  if (named) return named;
  if (v === 0) return "0";
  const a = Math.abs(v);
  return a >= large || a < small ? v.toExponential(Math.max(0, digits - 1)) : Number(v.toPrecision(digits)).toString();
}
