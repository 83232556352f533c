import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDescriptorWeights, loadTestImage, loadTestModel } from '../../test/fixtures';
import { alignFaces } from './align';
import { DESCRIPTOR_DIM, DESCRIPTOR_SIZE, FaceDescriptorNet, descriptorWeightNames } from './descriptor-net';
import { FaceDetector } from './detector';
import { createEmbeddingNetwork, Embedder, EMBEDDERS } from './embedder';
import { LandmarkModel } from './landmarks';
import { FacePipeline, landmarkStage } from './pipeline';
import { cosineSimilarity } from './similarity';

let weights: tf.NamedTensorMap;
let net: FaceDescriptorNet;

beforeAll(async () => {
  await tf.setBackend('cpu');
  weights = await loadDescriptorWeights();
  net = new FaceDescriptorNet(weights);
}, 60_000);

afterAll(() => {
  net.dispose();
  tf.dispose(Object.values(weights));
});

/** The library's own descriptor on the same weights (the reference our network must match). */
async function libraryDescriptor(crop: tf.Tensor3D): Promise<Float32Array> {
  const faceapi = await import('@vladmandic/face-api/dist/face-api.esm-nobundle.js');
  const lib = new faceapi.FaceRecognitionNet();
  lib.loadFromWeightMap(weights as unknown as Parameters<typeof lib.loadFromWeightMap>[0]);
  const out = (await lib.computeFaceDescriptor(
    crop as unknown as Parameters<typeof lib.computeFaceDescriptor>[0],
  )) as Float32Array;
  return out;
}

describe('FaceDescriptorNet (the 128-D ResNet written in tfjs ops)', () => {
  it('reads exactly the tensors the weights manifest holds', () => {
    expect(Object.keys(weights).sort()).toEqual(descriptorWeightNames().sort());
  });

  it('gives [N, 128], refuses another input size, and leaks nothing', async () => {
    const before = tf.memory().numTensors;
    const x = tf.randomUniform([2, DESCRIPTOR_SIZE, DESCRIPTOR_SIZE, 3], 0, 255, 'float32', 1) as tf.Tensor4D;
    const out = tf.tidy(() => net.forward(x));
    expect(out.shape).toEqual([2, DESCRIPTOR_DIM]);
    tf.dispose([out, x]);
    expect(() => net.forward(tf.zeros([1, 112, 112, 3]) as tf.Tensor4D)).toThrow(/150, 150, 3/);
    expect(tf.memory().numTensors).toBe(before + 1); // the zeros of the refused call
  });

  it("agrees with @vladmandic/face-api's own descriptor on real face crops (cosine > 0.999), and tells people apart", async () => {
    const models = await Promise.all(['blazeface', 'facemesh'].map(loadTestModel));
    const [blazeface, facemesh] = models as [tf.GraphModel, tf.GraphModel];
    const pipeline = new FacePipeline(
      new FaceDetector(blazeface),
      new Embedder(net, EMBEDDERS.facedescriptor),
      landmarkStage(new LandmarkModel(facemesh)),
    );
    const embeddings: Record<string, Float32Array> = {};
    for (const who of ['a', 'b']) {
      const frame = await loadTestImage(`e2e/fixtures/face-${who}.png`);
      const variants: Record<string, tf.Tensor3D> = {
        [who]: frame,
        [`${who}-mirrored`]: tf.reverse(frame, 1),
        [`${who}-half`]: tf.image.resizeBilinear(frame, [frame.shape[0] >> 1, frame.shape[1] >> 1], true),
      };
      for (const [name, image] of Object.entries(variants)) {
        const [face] = await pipeline.analyse(image);
        expect(face?.embedding).toHaveLength(DESCRIPTOR_DIM);
        embeddings[name] = face!.embedding;
      }
      // The crop the pipeline embedded, through the library's network and ours.
      const [face] = await pipeline.analyse(frame);
      const crop = tf.tidy(() =>
        alignFaces(frame, [face!.alignment], DESCRIPTOR_SIZE).squeeze([0]).mul(255),
      ) as tf.Tensor3D;
      const ours = (await tf.tidy(() => net.forward(crop.expandDims(0) as tf.Tensor4D)).data()) as Float32Array;
      expect(cosineSimilarity(ours, await libraryDescriptor(crop))).toBeGreaterThan(0.999);
      tf.dispose([crop, ...Object.values(variants)]);
    }
    const t = EMBEDDERS.facedescriptor.unlock.threshold;
    const impostor = cosineSimilarity(embeddings.a!, embeddings.b!);
    for (const who of ['a', 'b']) {
      for (const variant of ['mirrored', 'half']) {
        const genuine = cosineSimilarity(embeddings[who]!, embeddings[`${who}-${variant}`]!);
        expect(genuine).toBeGreaterThan(impostor);
        expect(genuine).toBeGreaterThan(t);
      }
    }
    expect(impostor).toBeLessThan(t);
    models.forEach((m) => m.dispose());
  }, 180_000);

  it('is what createEmbeddingNetwork builds for the descriptor spec', async () => {
    const built = await createEmbeddingNetwork(EMBEDDERS.facedescriptor, {
      graph: () => Promise.reject(new Error('not a graph model')),
      weights: async () => weights,
    });
    expect(built).toBeInstanceOf(FaceDescriptorNet);
    built.dispose();
  });
});
