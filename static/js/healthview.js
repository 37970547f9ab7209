// Neuron health as a view of the page model: on the side plots' turn it reads which hidden
// neurons are dead or saturated from the Step's answer, or asks (a big net only at rest: the
// request costs a forward pass),
// keeps the answer in model.health for the inspector and the node marks ("health" event), and
// says the counts beside the stats.
import { api } from "./api.js";
import { t } from "./i18n.js";
import { BIG_NET, emit, model, on } from "./store.js";

export function mountHealth(stat, busy) {
  // A Step's answer carries it (app/extras.py), and a stream twice a second, but for a big net,
  // whose health is drawn only at rest
  model.run.want("neurons", () => !(model.playing && model.nParams > BIG_NET));
  on("run", () => { stat.hidden = true; });
  on("sideplots", () => {
    if (model.playing && model.nParams > BIG_NET) return;
    busy(async () => {
      const id = model.runId;
      const step = model.state?.step;
      const carried = model.run.extras?.step === step ? model.run.extras.neurons : null;
      // a redraw at the same step (theme, language) asks nothing again; a new run clears model.health
      const health = (model.health?.step === step ? model.health : null) ?? carried ?? await api.neurons(id);
      if (id !== model.runId) return;
      model.health = health;
      stat.hidden = health.dead === 0 && health.saturated === 0;
      stat.textContent = [health.dead ? t("why.flags_dead", { dead: health.dead, n: health.hidden }) : "",
        health.saturated ? t("why.flags_saturated", { saturated: health.saturated, n: health.hidden }) : ""]
        .filter(Boolean).join(" · ");
      emit("health", health);
    });
  });
}
