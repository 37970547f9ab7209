// Dead and saturated neurons (GET /runs/{id}/neurons): which nodes the network marks, and
// the inspector's lines for one neuron, with the fractions behind the flag. Pure functions.

/** "col:i" -> "dead" | "saturated" for every flagged hidden neuron (col 1 is the first hidden layer). */
export function nodeFlags(health) {
  const flags = new Map();
  if (!health) return flags;
  health.layers.forEach((layer, l) => {
    layer.dead.forEach((dead, i) => { if (dead) flags.set(`${l + 1}:${i}`, "dead"); });
    layer.saturated.forEach((sat, i) => { if (sat) flags.set(`${l + 1}:${i}`, "saturated"); });
  });
  return flags;
}

/** The facts the inspector states for neuron i of column col, or null (input or output layer).
 * `batchNorm`: the layer normalises z, and the activation takes u = γ·ẑ + β (what the server
 * checks, engine/health.py), which the words then name. */
export function neuronHealth(health, col, i, batchNorm = false) {
  const layer = health?.layers?.[col - 1];
  if (!layer || i >= layer.flat.length) return null;
  const rectifier = layer.activation === "relu" || layer.activation === "leaky_relu";
  const state = layer.dead[i] ? "dead" : layer.saturated[i] ? "saturated" : "alive";
  return {
    activation: layer.activation,
    state,
    rectifier,
    inactive: layer.inactive[i],
    flat: layer.flat[i],
    rows: health.rows,
    ofRows: health.of_rows,
    input: batchNorm ? "u" : "z",
  };
}

/** Which one-line explanation fits: a key of the why.health_* block of the catalogues. */
export function explanationKey(facts) {
  if (facts.state === "dead") return "why.health_dead";
  if (facts.state === "saturated") return "why.health_saturated";
  if (facts.activation === "leaky_relu" && facts.inactive === 1) return "why.health_leaky";
  if (facts.activation === "linear") return "why.health_linear";
  return "why.health_alive";
}

const pct = (v) => `${Math.round(100 * v)}%`;

/** The inspector's section for one neuron: its state, the fractions behind it, why. `t` translates. */
export function healthHtml(facts, t) {
  const rows = [];
  const z = { z: facts.input ?? "z" }; // the activation's input: u under batch norm
  if (facts.rectifier) rows.push(`<dt>${t("why.health_inactive", z)}</dt><dd>${pct(facts.inactive)}</dd>`);
  if (facts.activation !== "linear") rows.push(`<dt>${t("why.health_flat", z)}</dt><dd>${pct(facts.flat)}</dd>`);
  const flag = facts.state === "alive" ? "" : `<span class="flag ${facts.state}">${t(`why.flag_${facts.state}`)}</span> `;
  return `<section class="health" id="neuron-health"><h3>${t("why.health_title")}</h3>
    <dl class="kv">${rows.join("")}</dl>
    <p class="muted">${t("why.health_rows", { n: facts.rows, of: facts.ofRows })}</p>
    <p data-state="${facts.state}">${flag}${t(explanationKey(facts), z)}</p></section>`;
}
