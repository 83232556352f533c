// Tensors to pictures, one place for all: [H, W, 3] RGB or [H, W] grey in 0..1 (or 0..255 int)
// → RGBA pixels → an ImageBitmap to draw, or a PNG/JPEG blob to save. The tensor is not
// disposed; it is read once with tf.browser.toPixels (asynchronous, safe on WebGPU).
import * as tf from '@tensorflow/tfjs';

type Picture = tf.Tensor3D | tf.Tensor2D;

async function imageData(image: Picture): Promise<ImageData> {
  const [height, width] = image.shape;
  const pixels = await tf.browser.toPixels(image);
  return new ImageData(pixels as Uint8ClampedArray<ArrayBuffer>, width, height);
}

/** A bitmap of the picture, for a canvas or an <img> via a blob. The caller closes it. */
export async function tensorToBitmap(image: Picture): Promise<ImageBitmap> {
  return createImageBitmap(await imageData(image));
}

/** The picture encoded as PNG (lossless) or JPEG. */
export async function tensorToBlob(
  image: Picture,
  type: 'image/png' | 'image/jpeg' = 'image/png',
  quality?: number,
): Promise<Blob> {
  const data = await imageData(image);
  const canvas = new OffscreenCanvas(data.width, data.height);
  canvas.getContext('2d')!.putImageData(data, 0, 0);
  return canvas.convertToBlob({ type, quality });
}
