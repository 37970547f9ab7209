// + and − buttons on the network itself (TensorFlow Playground's way of shaping a net): one pair
// for the number of hidden layers at the right, one pair above each hidden column for its neurons.
// A press gives the new hidden sizes to `onChange`, which restarts the run like the text field.
import { keepingFocus } from "./focuskeep.js";
import { t } from "./i18n.js";
import { hiddenLimits, reshape } from "./shapelogic.js";
import { model, on } from "./store.js";

const COMPACT_BELOW = 64; // px between columns under which the pairs drop their counts
const HIDDEN_BELOW = 36;  // and under which a column's pair (32 px at its smallest) does not fit

export class ShapeControls {
  constructor(el, canvas, onChange) {
    this.el = el;
    this.canvas = canvas;
    this.onChange = onChange;
    this.drawnKey = "";
    // the canvas's size is read when it changes, not on every frame: reading clientWidth after
    // the frame's DOM writes forced a layout per played frame
    new ResizeObserver(() => {
      this.size = [canvas.clientWidth, canvas.clientHeight];
      this.drawnKey = "";
      this.update();
    }).observe(canvas);
  }

  /** hidden: the sizes that run; view: the NetworkView (its layout places the buttons). */
  render(hidden, view, limits, disabled = false) {
    Object.assign(this, { hidden, view, limits, disabled });
    this.update();
  }

  update() {
    const { hidden, view } = this;
    if (!hidden || !view?.state) return;
    const [width, height] = this.size ?? [this.canvas.clientWidth, this.canvas.clientHeight];
    const key = `${hidden.join(",")}|${width}x${height}|${this.disabled}|${t("shape.label")}`;
    if (key === this.drawnKey) return;
    this.drawnKey = key;
    const columns = view.layout(width, height);
    keepingFocus(this.el, () => this.build(columns)); // a press of + or − keeps the focus on it
  }

  /** The buttons anew, placed over the network's `columns`. */
  build(columns) {
    const { hidden, limits } = this;
    this.el.replaceChildren();
    const pair = (action, layer, label, text) => {
      const group = document.createElement("div");
      group.className = "shape-pair";
      const button = (sign, act, aria) => {
        const b = document.createElement("button");
        b.type = "button";
        b.textContent = sign;
        b.dataset.action = act;
        b.dataset.focus = `shape:${act}:${layer}`;
        if (layer !== null) b.dataset.layer = String(layer);
        b.setAttribute("aria-label", aria);
        b.title = aria;
        b.disabled = this.disabled || reshape(hidden, act, layer, limits) === null;
        b.addEventListener("click", () => {
          const next = reshape(this.hidden, act, layer, this.limits);
          if (next) this.onChange(next);
        });
        return b;
      };
      const count = document.createElement("span");
      count.className = "shape-count";
      count.textContent = text;
      group.append(button("−", `remove-${action}`, label.remove), count, button("+", `add-${action}`, label.add));
      return group;
    };
    const layers = pair("layer", null, { add: t("shape.add_layer"), remove: t("shape.remove_layer") },
      t("shape.layers", { n: hidden.length }));
    layers.classList.add("layers");
    layers.classList.toggle("compact", hidden.length > 0 && columns[1].colGap < COMPACT_BELOW);
    this.el.append(layers);
    hidden.forEach((n, l) => {
      const column = columns[l + 1];
      const group = pair("neuron", l, { add: t("shape.add_neuron", { l: l + 1 }), remove: t("shape.remove_neuron", { l: l + 1 }) },
        String(n));
      group.style.left = `${column.x}px`;
      group.classList.toggle("compact", column.colGap < COMPACT_BELOW);
      group.hidden = column.colGap < HIDDEN_BELOW; // too crowded: the hidden-layers field remains
      this.el.append(group);
    });
  }
}

/** The buttons as a view of the page model: redrawn (when their key changes) after the network
 * draws a State or a page change; `onChange(hidden)` restarts the run with the new sizes. */
export function mountShape(el, canvas, network, onChange) {
  const shape = new ShapeControls(el, canvas, onChange);
  const draw = () => {
    if (model.state && model.resolved && model.meta) shape.render(model.resolved.hidden, network, hiddenLimits(model.meta));
  };
  on("state", draw);
  on("page", draw);
}
