// Reads the mean colours in and around the face from a video's current frame, for the
// screen-light challenge: the frame is drawn small on a canvas (the means need few pixels, and a
// small read is fast enough for every display frame) and measured by measureLight.
import type { Box } from '../face/decode';
import { measureLight, type LightSample } from './light-challenge';

const WIDTH = 80;

/** `box` is in the pixels of a frame `frameWidth` wide (the analysed frame may be scaled from the video's). */
export function createLightSampler(): (
  video: HTMLVideoElement,
  box: Box,
  frameWidth: number,
  t: number,
) => LightSample | null {
  let canvas: HTMLCanvasElement | null = null;
  let ctx: CanvasRenderingContext2D | null = null;
  return (video, box, frameWidth, t) => {
    const vw = video.videoWidth;
    const vh = video.videoHeight;
    if (!vw || !vh) return null;
    const w = WIDTH;
    const h = Math.max(1, Math.round((WIDTH * vh) / vw));
    if (!canvas) {
      canvas = document.createElement('canvas');
      ctx = canvas.getContext('2d', { willReadFrequently: true });
    }
    if (!ctx) return null;
    if (canvas.width !== w || canvas.height !== h) {
      canvas.width = w;
      canvas.height = h;
    }
    ctx.drawImage(video, 0, 0, w, h);
    const { data } = ctx.getImageData(0, 0, w, h);
    const k = w / (frameWidth || vw);
    return measureLight(data, w, h, { x: box.x * k, y: box.y * k, width: box.width * k, height: box.height * k }, t);
  };
}
