import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTestImage, loadTestModel } from '../../test/fixtures';
import { FaceDetector } from './detector';
import { Embedder, EMBEDDERS, graphNetwork } from './embedder';
import { LandmarkModel } from './landmarks';
import { FacePipeline, landmarkStage, type FaceAnalysis } from './pipeline';
import { cosineSimilarity } from './similarity';

let pipeline: FacePipeline;
let models: tf.GraphModel[];
const frames: Record<string, tf.Tensor3D> = {};

beforeAll(async () => {
  await tf.setBackend('cpu');
  models = await Promise.all(['blazeface', 'facemesh', 'faceres'].map(loadTestModel));
  const [blazeface, facemesh, faceres] = models as [tf.GraphModel, tf.GraphModel, tf.GraphModel];
  pipeline = new FacePipeline(
    new FaceDetector(blazeface),
    new Embedder(graphNetwork(faceres, 'global_pooling/Mean'), EMBEDDERS.faceres),
    landmarkStage(new LandmarkModel(facemesh)),
  );
  for (const who of ['a', 'b']) {
    frames[who] = await loadTestImage(`e2e/fixtures/face-${who}.png`);
    frames[`${who}-mirrored`] = tf.reverse(frames[who]!, 1);
  }
}, 60_000);

afterAll(() => {
  tf.dispose(Object.values(frames));
  models.forEach((m) => m.dispose());
});

describe('FacePipeline (BlazeFace → FaceMesh → ArcFace alignment → FaceRes)', () => {
  it('finds one good face per fixture, tells the same person from another, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const out: Record<string, FaceAnalysis> = {};
    for (const [name, frame] of Object.entries(frames)) {
      const faces = await pipeline.analyse(frame);
      expect(faces).toHaveLength(1);
      out[name] = faces[0]!;
    }
    expect(tf.memory().numTensors).toBe(before);
    const a = out.a!;
    expect(a.modelId).toBe('faceres');
    expect(a.embedding).toHaveLength(1024);
    expect(a.shape?.points5).toHaveLength(5);
    expect(a.alignment.rms).toBeLessThan(0.04 * EMBEDDERS.faceres.inputSize);
    expect(a.quality.score).toBeGreaterThan(0.4);
    const genuineA = cosineSimilarity(a.embedding, out['a-mirrored']!.embedding);
    const genuineB = cosineSimilarity(out.b!.embedding, out['b-mirrored']!.embedding);
    const impostor = cosineSimilarity(a.embedding, out.b!.embedding);
    const threshold = EMBEDDERS.faceres.unlock.threshold;
    expect(genuineA).toBeGreaterThan(threshold);
    expect(genuineB).toBeGreaterThan(threshold);
    expect(impostor).toBeLessThan(threshold);
  }, 120_000);

  it('counts the faces it found, also those the cap left out', async () => {
    // face-a and face-b side by side: two faces; with a cap of one, one is analysed and two counted.
    const pair = tf.concat([frames.a!, frames.b!], 1);
    try {
      const capped = await pipeline.analyseCounted(pair, 1);
      expect(capped.faces).toHaveLength(1);
      expect(capped.found).toBe(2);
    } finally {
      pair.dispose();
    }
  }, 120_000);
});
