// Pixels in [0, 1] as a grey image on a canvas (input digits, drawings, thumbnails).

export function drawGray(canvas, pixels, width, height = width) {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(width, height);
  for (let k = 0; k < width * height; k++) {
    const v = Math.round(255 * Math.max(0, Math.min(1, pixels[k] ?? 0)));
    img.data.set([v, v, v, 255], 4 * k);
  }
  ctx.putImageData(img, 0, 0);
}
