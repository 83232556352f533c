import { describe, expect, it } from 'vitest';
import { decodeDetections, FACE_KEYPOINTS, REGRESSORS_PER_ANCHOR, VALUES_PER_ANCHOR } from './decode';

/** One output row: score, box (dx, dy, w, h), then six keypoint offsets. */
function row(score: number, box: [number, number, number, number], keypoints: [number, number][]): number[] {
  return [score, ...box, ...keypoints.flat()];
}

const INPUT_SIZE = 256;
// Two unit-size anchors: left and right of the middle row.
const anchors = new Float32Array([0.25, 0.5, 0.75, 0.5]);
// Keypoint k is offset by (16k, −16k) input pixels, i.e. (k / 16, −k / 16) normalised.
const keypointOffsets = Array.from({ length: 6 }, (_, k): [number, number] => [16 * k, -16 * k]);

describe('decodeDetections', () => {
  it('has 16 regressors and 17 values per anchor', () => {
    expect(FACE_KEYPOINTS).toHaveLength(6);
    expect(REGRESSORS_PER_ANCHOR).toBe(16);
    expect(VALUES_PER_ANCHOR).toBe(17);
  });

  it('divides the regressors by the input size and adds the anchor centre', () => {
    const rows = new Float32Array([
      // Centre (0.25 + 32/256, 0.5 − 64/256) = (0.375, 0.25); size (64/256, 128/256) = (0.25, 0.5).
      ...row(0.9, [32, -64, 64, 128], keypointOffsets),
      ...row(0.4, [0, 0, 64, 64], keypointOffsets),
    ]);
    const detections = decodeDetections(rows, anchors, { inputSize: INPUT_SIZE, scoreThreshold: 0.5 });
    expect(detections).toHaveLength(1);
    const [face] = detections;
    expect(face!.score).toBeCloseTo(0.9, 6);
    // Left edge 0.375 − 0.125, top 0.25 − 0.25.
    expect(face!.box).toEqual({ x: 0.25, y: 0, width: 0.25, height: 0.5 });
    expect(face!.keypoints).toEqual([
      [0.25, 0.5],
      [0.3125, 0.4375],
      [0.375, 0.375],
      [0.4375, 0.3125],
      [0.5, 0.25],
      [0.5625, 0.1875],
    ]);
  });

  it('keeps a score equal to the threshold and returns anchors in order', () => {
    const rows = new Float32Array([
      ...row(0.5, [0, 0, 32, 32], keypointOffsets),
      ...row(0.75, [0, 0, 32, 32], keypointOffsets),
    ]);
    const detections = decodeDetections(rows, anchors, { inputSize: INPUT_SIZE, scoreThreshold: 0.5 });
    expect(detections.map((d) => d.score)).toEqual([0.5, 0.75]);
    // The second anchor's box is centred on (0.75, 0.5) with side 32/256 = 0.125.
    expect(detections[1]!.box).toEqual({ x: 0.6875, y: 0.4375, width: 0.125, height: 0.125 });
  });

  it('drops NaN scores instead of producing NaN boxes', () => {
    const rows = new Float32Array([
      ...row(Number.NaN, [0, 0, 32, 32], keypointOffsets),
      ...row(0.1, [0, 0, 32, 32], keypointOffsets),
    ]);
    expect(decodeDetections(rows, anchors, { inputSize: INPUT_SIZE, scoreThreshold: 0.05 })).toHaveLength(1);
  });

  it('refuses output whose size does not match the anchors', () => {
    const rows = new Float32Array(VALUES_PER_ANCHOR * 3);
    expect(() => decodeDetections(rows, anchors, { inputSize: INPUT_SIZE, scoreThreshold: 0.5 })).toThrow(
      /2 anchors need 34/,
    );
  });
});
