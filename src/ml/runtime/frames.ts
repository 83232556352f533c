// Turning frames into tensors in a way that is safe on every backend. On WebGPU,
// `fromPixels(video)` goes through external textures and can throw, and int32 data left
// on the GPU can read back as zeros after some ops, so frames are first drawn to a canvas
// and converted to float32 straight away with a real float op.
import * as tf from '@tensorflow/tfjs';

export type PixelSource = tf.PixelData | ImageData | HTMLCanvasElement | ImageBitmap | HTMLImageElement;

/** RGB pixels → float32 tensor [H, W, 3] with values in 0..1. */
export function pixelsToTensor(source: PixelSource): tf.Tensor3D {
  return tf.tidy(() => tf.browser.fromPixels(source, 3).toFloat().div(255));
}

/**
 * Draws video frames (or any drawable) onto one reusable canvas, so that frames reach tfjs
 * as canvas pixels rather than as external textures.
 */
export class FrameGrabber {
  private canvas: HTMLCanvasElement | null = null;

  grab(source: HTMLVideoElement | ImageBitmap | HTMLImageElement): HTMLCanvasElement {
    const width = source instanceof HTMLVideoElement ? source.videoWidth : source.width;
    const height = source instanceof HTMLVideoElement ? source.videoHeight : source.height;
    if (!width || !height) throw new Error('The camera has not delivered a frame yet.');
    this.canvas ??= document.createElement('canvas');
    const c = this.canvas;
    if (c.width !== width || c.height !== height) {
      c.width = width;
      c.height = height;
    }
    const ctx = c.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('This browser could not create a 2D canvas.');
    ctx.drawImage(source, 0, 0, width, height);
    return c;
  }

  toTensor(source: HTMLVideoElement | ImageBitmap | HTMLImageElement): tf.Tensor3D {
    return pixelsToTensor(this.grab(source));
  }
}
