import * as tf from '@tensorflow/tfjs';
import { expect, it } from 'vitest';
import { loadTestImage, loadTestModel, SAMPLE_PHOTOS } from './fixtures';

it('loads a shipped model and a sample photo for Node tests', async () => {
  await tf.setBackend('cpu');
  const model = await loadTestModel('liveness');
  const img = await loadTestImage(SAMPLE_PHOTOS[0]!);
  expect(img.shape).toEqual([1280, 1920, 3]);
  const max = (await img.max().data())[0]!;
  expect(max).toBeGreaterThan(0.5);
  expect(max).toBeLessThanOrEqual(1);
  expect(model.inputs[0]!.shape).toEqual([-1, 32, 32, 3]);
  img.dispose();
  model.dispose();
});
