// Where things go on the network canvas: columns of neurons (or the input image), pure
// geometry that runs without a browser (tests/js/layout.test.mjs).

export const PAD_Y = 26;
// beside the outputs: their targets ("y 0.567" at 12 px, ~50 px, 8 px from a circle of up to
// 20) within the side padding (at least 24 px): it was cut to "y 0.5" in compare's narrow panes
const RIGHT_ROOM = 56;

/** Neurons per column: the inputs, then each layer's outputs. */
export function columnSizes(layers) {
  return [layers[0].W[0].length, ...layers.map((l) => l.W.length)];
}

/** One entry per column: {image, x, top, side, n} for a 2-D input, else {x, ys, r, n, gap, colGap}. */
export function layoutColumns(sizes, inputShape, width, height) {
  const image = Boolean(inputShape && inputShape.length === 2);
  const padX = Math.min(56, Math.max(24, width * 0.08)); // a narrow pane (compare) keeps its width for columns
  const colGap = (width - 2 * padX - RIGHT_ROOM) / (sizes.length - 1);
  const xs = sizes.map((_, c) => padX + c * colGap);
  return sizes.map((n, c) => {
    if (c === 0 && image) {
      const side = Math.min(height - 2 * PAD_Y, (xs[1] - xs[0]) * 0.7, 240);
      return { image: true, x: Math.max(xs[0], 12 + side / 2), top: (height - side) / 2, side, n };
    }
    const gap = (height - 2 * PAD_Y) / n;
    // neurons fit their column as well as their row: deep nets in a narrow pane do not merge
    const r = Math.max(2.5, Math.min(20, gap * 0.36, colGap * 0.25)); // room for the δ ring
    const ys = Array.from({ length: n }, (_, i) => PAD_Y + gap * (i + 0.5));
    return { image: false, x: xs[c], ys, r, n, gap, colGap };
  });
}

/** The canvas point of neuron i of a column: its centre, or its pixel in the input image. */
export function nodePoint(column, i, inputShape) {
  if (column.image) {
    const w = inputShape[1];
    const px = column.side / w;
    return [column.x - column.side / 2 + ((i % w) + 0.5) * px, column.top + (Math.floor(i / w) + 0.5) * px];
  }
  return [column.x, column.ys[i]];
}
