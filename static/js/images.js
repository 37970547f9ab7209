// Pixels in [0, 1] as a grey image on a canvas (input digits, drawings, thumbnails).

export function drawGray(canvas, pixels, width, height = width) {
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext("2d");
  const img = ctx.createImageData(width, height);
  for (let k = 0; k < width * height; k++) { // a digit on the network 40 times a second: no array per pixel
    const v = Math.round(255 * Math.max(0, Math.min(1, pixels[k] ?? 0)));
    img.data[4 * k] = img.data[4 * k + 1] = img.data[4 * k + 2] = v;
    img.data[4 * k + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
}
