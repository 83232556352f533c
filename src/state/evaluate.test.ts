import { describe, expect, it, vi } from 'vitest';
import type { LabelledEmbedding } from '../ml/face/evaluate';
import { adoptableThreshold, createEvaluateStore, labelOf, type EvaluateServices } from './evaluate';

/** A unit vector at `deg` degrees: cosines between samples are cos(Δangle). */
const at = (label: string, deg: number): LabelledEmbedding => ({
  label,
  embedding: Float32Array.of(Math.cos((deg * Math.PI) / 180), Math.sin((deg * Math.PI) / 180)),
});

/** Three people, three photos each, 2° apart within a person and 60° between people. */
const samples = ['a', 'b', 'c'].flatMap((label, p) => [0, 2, 4].map((d) => at(label, p * 60 + d)));

const file = (path: string) => Object.assign(new File(['x'], path.split('/').pop()!), { webkitRelativePath: path });

function setup(overrides: Partial<EvaluateServices> = {}) {
  const adopt = vi.fn();
  const services: EvaluateServices = {
    embedFolder: async (files, onProgress) => {
      onProgress(files.length, files.length);
      return { samples, images: files.length, skipped: [], modelId: 'facedescriptor' };
    },
    threshold: () => 0.935,
    backend: () => 'cpu',
    adopt,
    ...overrides,
  };
  return { store: createEvaluateStore(services), adopt };
}

describe('the evaluate store, on fake services', () => {
  it('reports verification, one-shot and calibration figures with their counts, and adopts per use', async () => {
    const { store, adopt } = setup();
    const files = samples.map((s, i) => file(`set/${s.label}/${i}.jpg`));
    const report = (await store.getState().run(files))!;
    expect(report).toMatchObject({
      identities: 3,
      genuine_pairs: 9,
      impostor_pairs: 27,
      eer: 0,
      rank1: 1,
      threshold: 0.935,
      frr_at_threshold: 0,
      far_at_threshold: 0,
      model: 'facedescriptor',
      backend: 'cpu',
    });
    expect(report.one_shot).toMatchObject({ rounds: 3, probes: 18, rank1: 1, open_set_fmr: 0 });
    expect(report.calibration!.unlock.impostorPairs).toBe(27);
    expect(report.calibration!.unlock.threshold).toBeGreaterThan(report.calibration!.identify.threshold);
    expect(store.getState().progress).toEqual({ done: 9, total: 9 });
    store.getState().adoptThreshold('unlock');
    expect(adopt).toHaveBeenCalledWith('facedescriptor', 'unlock', adoptableThreshold(report, 'unlock'));
  });

  it('refuses a folder without labelled images, and shows why embedding failed', async () => {
    const { store } = setup({
      embedFolder: async () => {
        throw new Error('The face models could not be loaded.');
      },
    });
    expect(await store.getState().run([file('loose.jpg')])).toBeNull();
    expect(store.getState().error).toMatch(/No labelled images found/);
    expect(await store.getState().run([file('set/a/1.jpg')])).toBeNull();
    expect(store.getState()).toMatchObject({ error: 'The face models could not be loaded.', running: false });
  });

  it('reads the identity from the folder a file sits in', () => {
    expect(labelOf(file('set/alice/1.jpg'))).toBe('alice');
    expect(labelOf(file('1.jpg'))).toBeNull();
  });
});
