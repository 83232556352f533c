import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestImage, loadTestModel, SAMPLE_PHOTOS } from '../../test/fixtures';
import { FaceDetector, type Detection } from '../face/detector';
import { PassiveLiveness, passiveCropBox, type PassiveScores } from './passive';

describe('passiveCropBox', () => {
  it('is a square of margin × the longer side around the box centre, in cropAndResize units', () => {
    // Box centre (150, 100), longer side 80 → a 120-px square at margin 1.5: x 90..210, y 40..160.
    const [y1, x1, y2, x2] = passiveCropBox({ x: 110, y: 70, width: 80, height: 60 }, 301, 201, 1.5);
    expect(x1! * 300).toBeCloseTo(90, 9);
    expect(x2! * 300).toBeCloseTo(210, 9);
    expect(y1! * 200).toBeCloseTo(40, 9);
    expect(y2! * 200).toBeCloseTo(160, 9);
  });
});

/**
 * The shipped models on real faces (sample1: three people) and on the same photo recaptured
 * with a colour cast and lowered contrast, as a print or a screen shows it. The measurement
 * (passive.ts) found this the attack the liveness model separates best (AUC 0.94); it is the one
 * robust enough to pin the convention (index 0 = live, RGB 0..1) in a unit test.
 */
describe('PassiveLiveness', () => {
  let passive: PassiveLiveness;
  let photo: tf.Tensor3D;
  let recaptured: tf.Tensor3D;
  let faces: Detection[];
  let live: PassiveScores[];
  let attack: PassiveScores[];
  let tensorsLeft = 0;

  beforeAll(async () => {
    await tf.setBackend('cpu');
    const detector = new FaceDetector(await loadTestModel('blazeface'));
    photo = await loadTestImage(SAMPLE_PHOTOS[0]!);
    faces = await detector.detect(photo);
    detector.dispose();
    passive = new PassiveLiveness({
      antispoof: await loadTestModel('antispoof'),
      liveness: await loadTestModel('liveness'),
    });
    // A print or screen shows the face with a colour cast and lowered contrast.
    recaptured = tf.tidy(() => {
      const cast = tf.tensor1d([0.85, 0.95, 1.15]);
      return photo.mul(0.6).add(0.2).mul(cast).clipByValue(0, 1) as tf.Tensor3D;
    });
    const before = tf.memory().numTensors;
    live = await passive.scoreAll(
      photo,
      faces.map((f) => f.box),
    );
    tensorsLeft = tf.memory().numTensors - before;
    attack = await passive.scoreAll(
      recaptured,
      faces.map((f) => f.box),
    );
  }, 120_000);

  afterAll(() => {
    passive?.dispose();
    tf.dispose([photo, recaptured]);
  });

  it('returns probabilities in 0..1 for every face, leaving no tensors behind', () => {
    expect(faces).toHaveLength(3);
    expect(live).toHaveLength(3);
    for (const s of [...live, ...attack]) {
      for (const v of [s.antispoof, s.liveness]) {
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
    expect(tensorsLeft).toBe(0);
  });

  it('reads the liveness model as measured: live faces score high, their recaptures lower', () => {
    // Measured: 0.96, 0.99, 0.98 live; 0.59, 0.56, 0.68 recaptured.
    for (let i = 0; i < faces.length; i++) {
      expect(live[i]!.liveness).toBeGreaterThan(0.5);
      expect(attack[i]!.liveness).toBeLessThan(live[i]!.liveness);
    }
  });

  it('scores one face like the batch does, and nothing for no faces', async () => {
    const one = await passive.score(photo, faces[0]!.box);
    expect(one.liveness).toBeCloseTo(live[0]!.liveness, 5);
    expect(one.antispoof).toBeCloseTo(live[0]!.antispoof, 5);
    expect(await passive.scoreAll(photo, [])).toEqual([]);
  });

  it('refuses non-RGB frames, and works no more once disposed', async () => {
    const rgba = tf.zeros([8, 8, 4]) as tf.Tensor3D;
    await expect(passive.score(rgba, { x: 0, y: 0, width: 4, height: 4 })).rejects.toThrow(/RGB frame/);
    rgba.dispose();
    const own = new PassiveLiveness({
      antispoof: await loadTestModel('antispoof'),
      liveness: await loadTestModel('liveness'),
    });
    const before = tf.memory().numTensors;
    own.dispose();
    expect(tf.memory().numTensors).toBeLessThan(before);
    await expect(own.score(photo, faces[0]!.box)).rejects.toThrow(/disposed/);
  });
});
