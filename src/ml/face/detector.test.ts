import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestImage, loadTestModel, SAMPLE_PHOTOS } from '../../test/fixtures';
import { FaceDetector, letterbox, toFramePixels, type Detection } from './detector';

describe('letterbox', () => {
  it('fits a landscape 640×480 frame as 256×192, centred with 32 px above and below', () => {
    expect(letterbox(640, 480, 256)).toEqual({
      resizedWidth: 256,
      resizedHeight: 192,
      padLeft: 0,
      padTop: 32,
      scaleX: 2.5,
      scaleY: 2.5,
    });
  });

  it('pads a portrait frame left and right', () => {
    const fit = letterbox(480, 640, 256);
    expect([fit.resizedWidth, fit.resizedHeight, fit.padLeft, fit.padTop]).toEqual([192, 256, 32, 0]);
  });

  it('rounds the resized size and keeps each axis’s own scale', () => {
    // 1367 × 256 / 1920 = 182.27 → 182 rows, (256 − 182) / 2 = 37 above.
    const fit = letterbox(1920, 1367, 256);
    expect([fit.resizedWidth, fit.resizedHeight, fit.padLeft, fit.padTop]).toEqual([256, 182, 0, 37]);
    expect(fit.scaleX).toBe(7.5);
    expect(fit.scaleY).toBeCloseTo(1367 / 182, 12);
  });

  it('maps the model input back to frame pixels', () => {
    const fit = letterbox(640, 480, 256);
    // The band of real pixels is rows 32..224 of the input: v = 0.125..0.875.
    const mapped = toFramePixels(
      { box: { x: 0, y: 0.125, width: 1, height: 0.75 }, score: 0.7, keypoints: [[0.5, 0.5]] },
      fit,
      256,
    );
    expect(mapped).toEqual({ box: { x: 0, y: 0, width: 640, height: 480 }, score: 0.7, keypoints: [[320, 240]] });
  });
});

// Faces in the six sample photos, counted by looking at them: the approximate nose position of
// every face, read off the photos viewed at half scale (so good to about ±20 px at full size).
// Sample2's left face is in near profile and its middle one looks down; sample4's faces are
// turned and tilted. All of them are found at the default threshold (lowest score 0.63, sample2's
// middle face), with no extra detections, so the test expects every face and nothing else.
const FACES_BY_PHOTO: [number, number][][] = [
  [
    [500, 480],
    [910, 560],
    [1580, 330],
  ],
  [
    [410, 300],
    [990, 370],
    [1540, 320],
  ],
  [
    [670, 490],
    [1150, 370],
    [1600, 450],
  ],
  [
    [340, 330],
    [760, 200],
    [1080, 320],
    [1380, 290],
  ],
  [
    [860, 240],
    [670, 550],
    [1200, 350],
    [1520, 550],
    [460, 1040],
  ],
  [
    [350, 600],
    [750, 480],
    [1260, 470],
    [1580, 400],
  ],
];

function contains(d: Detection, [x, y]: [number, number], margin = 0): boolean {
  const m = margin * Math.max(d.box.width, d.box.height);
  const { box } = d;
  return x >= box.x - m && x <= box.x + box.width + m && y >= box.y - m && y <= box.y + box.height + m;
}

/** A smooth RGB ramp: red left to right, green top to bottom. */
function gradient(height: number, width: number): tf.Tensor3D {
  return tf.tidy(() => {
    const across = tf.linspace(0, 1, width).reshape([1, width, 1]).broadcastTo([height, width, 1]);
    const down = tf.linspace(0, 1, height).reshape([height, 1, 1]).broadcastTo([height, width, 1]);
    return tf.concat([across, down, across.add(down).div(2)], 2) as tf.Tensor3D;
  });
}

/** Pads with black so the frame sits centred in a square, as the detector's letterbox does. */
function padToSquare(frame: tf.Tensor3D): { square: tf.Tensor3D; left: number; top: number } {
  const [height, width] = frame.shape;
  const side = Math.max(height, width);
  const left = Math.floor((side - width) / 2);
  const top = Math.floor((side - height) / 2);
  const square = tf.pad(frame, [
    [top, side - height - top],
    [left, side - width - left],
    [0, 0],
  ]);
  return { square, left, top };
}

describe('FaceDetector', () => {
  let detector: FaceDetector;
  let faceA: tf.Tensor3D;
  // Every detect costs about a second on the cpu backend, so the face-a result is computed once,
  // with the tensor count around that call, and shared by the tests that need it.
  let faceARun: Promise<{ detections: Detection[]; tensorsLeft: number }> | null = null;
  const detectFaceA = () =>
    (faceARun ??= (async () => {
      const before = tf.memory().numTensors;
      const detections = await detector.detect(faceA);
      return { detections, tensorsLeft: tf.memory().numTensors - before };
    })());

  beforeAll(async () => {
    await tf.setBackend('cpu');
    detector = new FaceDetector(await loadTestModel('blazeface'));
    faceA = await loadTestImage('e2e/fixtures/face-a.png');
  });

  afterAll(() => {
    detector.dispose();
    faceA.dispose();
  });

  it.each(SAMPLE_PHOTOS.map((path, i) => [path.split('/').pop()!, path, FACES_BY_PHOTO[i]!] as const))(
    'finds every face in %s, and only those',
    async (_name, path, faces) => {
      const photo = await loadTestImage(path);
      const detections = await detector.detect(photo);
      photo.dispose();

      expect(detections).toHaveLength(faces.length);
      for (const face of faces) expect(detections.filter((d) => contains(d, face))).toHaveLength(1);
      for (const d of detections) {
        expect(d.score).toBeGreaterThanOrEqual(0.5);
        expect(d.keypoints).toHaveLength(6);
        // Turned faces put an ear tragion at the box edge: the farthest seen lies 1.4 % of the box
        // size outside it (sample4), so allow 5 %.
        for (const point of d.keypoints) expect(contains(d, point, 0.05)).toBe(true);
      }
      // Best first.
      const scores = detections.map((d) => d.score);
      expect(scores).toEqual([...scores].sort((a, b) => b - a));
    },
  );

  it('finds the one face in face-a.png, roughly centred and 30–60 % of the frame height', async () => {
    const { detections } = await detectFaceA();
    expect(detections).toHaveLength(1);
    const { box } = detections[0]!;
    const [height, width] = faceA.shape;
    expect(Math.abs(box.x + box.width / 2 - width / 2)).toBeLessThan(0.15 * width);
    expect(Math.abs(box.y + box.height / 2 - height / 2)).toBeLessThan(0.15 * height);
    expect(box.height / height).toBeGreaterThan(0.3);
    expect(box.height / height).toBeLessThan(0.6);
    // Eyes above the nose, nose above the mouth; the person's right eye on the image's left.
    const [rightEye, leftEye, nose, mouth] = detections[0]!.keypoints;
    expect(rightEye![0]).toBeLessThan(leftEye![0]);
    expect(Math.max(rightEye![1], leftEye![1])).toBeLessThan(nose![1]);
    expect(nose![1]).toBeLessThan(mouth![1]);
  });

  it('leaves no tensors behind', async () => {
    const { detections, tensorsLeft } = await detectFaceA();
    expect(detections).toHaveLength(1);
    expect(tensorsLeft).toBe(0);
  });

  it('finds no face in a black frame or a smooth gradient', async () => {
    const black = tf.zeros([480, 640, 3]) as tf.Tensor3D;
    const ramp = gradient(480, 640);
    expect(await detector.detect(black)).toEqual([]);
    expect(await detector.detect(ramp)).toEqual([]);
    tf.dispose([black, ramp]);
  });

  it('maps a letterboxed frame back like the same frame padded by hand', async () => {
    // A 301×480 portrait crop around face-a's face: padded left and right, by an odd 179 px by
    // hand, and resized to 160.5 → 161 columns by the letterbox, so its two axes scale differently.
    const frame = tf.slice(faceA, [0, 170, 0], [480, 301, 3]);
    const { square, left, top } = padToSquare(frame);
    expect([left, top]).toEqual([89, 0]);
    const letterboxed = await detector.detect(frame);
    const padded = await detector.detect(square);
    tf.dispose([frame, square]);

    expect(letterboxed).toHaveLength(1);
    expect(padded).toHaveLength(1);
    const a = letterboxed[0]!;
    const b = padded[0]!;
    expect(Math.abs(a.box.x - (b.box.x - left))).toBeLessThan(1);
    expect(Math.abs(a.box.y - (b.box.y - top))).toBeLessThan(1);
    expect(Math.abs(a.box.width - b.box.width)).toBeLessThan(1);
    expect(Math.abs(a.box.height - b.box.height)).toBeLessThan(1);
    a.keypoints.forEach(([x, y], k) => {
      const [px, py] = b.keypoints[k]!;
      expect(Math.abs(x - (px - left))).toBeLessThan(1);
      expect(Math.abs(y - (py - top))).toBeLessThan(1);
    });
  });

  it('still finds a face whose box is 5 % of the frame width', async () => {
    // Measured (detector.ts): on face-a, face-b and sample5/6 shrunk into a frame of the original
    // size, every face is found with no stray box down to 5 %; below 4 % faces start to go.
    const [height, width] = faceA.shape;
    const reference = (await detectFaceA()).detections[0]!.box;
    const shrink = reference.width / width / 0.05;
    const h = Math.round(height / shrink);
    const w = Math.round(width / shrink);
    const top = Math.floor((height - h) / 2);
    const left = Math.floor((width - w) / 2);
    const small = tf.tidy(() =>
      tf.pad(tf.image.resizeBilinear(faceA, [h, w], false, true), [
        [top, height - h - top],
        [left, width - w - left],
        [0, 0],
      ]),
    );
    const detections = await detector.detect(small);
    small.dispose();

    expect(detections).toHaveLength(1);
    const { box } = detections[0]!;
    expect(box.width / width).toBeGreaterThan(0.04);
    expect(box.width / width).toBeLessThan(0.06);
    // Where the shrunk face should be: the reference box centre, scaled and shifted.
    const expectedX = left + ((reference.x + reference.width / 2) * w) / width;
    const expectedY = top + ((reference.y + reference.height / 2) * h) / height;
    expect(Math.abs(box.x + box.width / 2 - expectedX)).toBeLessThan(0.5 * box.width);
    expect(Math.abs(box.y + box.height / 2 - expectedY)).toBeLessThan(0.5 * box.height);
  });

  it('refuses frames that are not [H, W, 3]', async () => {
    const rgba = tf.zeros([4, 4, 4]) as tf.Tensor3D;
    await expect(detector.detect(rgba)).rejects.toThrow(/RGB frame/);
    rgba.dispose();
  });

  it('releases the model on dispose and refuses to detect afterwards', async () => {
    const own = new FaceDetector(await loadTestModel('blazeface'));
    const before = tf.memory().numTensors;
    own.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    own.dispose();
    await expect(own.detect(faceA)).rejects.toThrow(/disposed/);
  });
});
