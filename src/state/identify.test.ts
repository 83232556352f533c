import { describe, expect, it, vi } from 'vitest';
import type { FaceAnalysis } from '../ml/face/pipeline';
import type { DecodedImage } from '../ml/runtime/image-file';
import { createIdentifyStore, type IdentifyServices } from './identify';

const faceAt = (x: number, who: number) =>
  ({
    detection: { box: { x, y: 0, width: 50, height: 60 }, score: 0.9, keypoints: [] },
    embedding: Float32Array.of(who),
    modelId: 'facedescriptor',
  }) as unknown as FaceAnalysis;

const bitmap = () => ({ width: 640, height: 480, close: vi.fn() }) as unknown as ImageBitmap;

function setup(overrides: Partial<IdentifyServices> = {}) {
  const decoded: DecodedImage[] = [];
  const services: IdentifyServices = {
    // Two faces: the first is Alice (a match), the second someone closest to Bob but below it.
    analyse: async () => ({ faces: [faceAt(0, 1), faceAt(100, 2)], ms: 12 }),
    match: async (embedding) =>
      embedding[0] === 1
        ? { identityId: 'a', name: 'Alice', score: 0.97, matched: true }
        : { identityId: 'b', name: 'Bob', score: 0.85, matched: false },
    openGallery: async () => null,
    threshold: () => 0.911,
    decode: async (file) => {
      const image = {
        bitmap: bitmap(),
        name: file.name,
        width: 640,
        height: 480,
        originalWidth: 640,
        originalHeight: 480,
        notice: null,
      };
      decoded.push(image);
      return image;
    },
    snapshot: async () => bitmap(),
    ...overrides,
  };
  return { store: createIdentifyStore(services), decoded };
}

describe('the identify store, on fake services', () => {
  it('names the faces that match and leaves the others unknown, without naming whom they resemble', async () => {
    const { store } = setup();
    await store.getState().identifyFile(new File(['x'], 'group.jpg'));
    const { faces, threshold, ms, error } = store.getState();
    expect(error).toBeNull();
    expect(threshold).toBe(0.911);
    expect(ms).toBe(12);
    expect(faces).toEqual([
      { box: { x: 0, y: 0, width: 50, height: 60 }, name: 'Alice', identityId: 'a', score: 0.97 },
      { box: { x: 100, y: 0, width: 50, height: 60 }, name: null, identityId: null, score: 0.85 },
    ]);
    // A stranger's nearest enrolled person is not kept anywhere a page could show it.
    expect(JSON.stringify(faces)).not.toContain('Bob');
  });

  it('says what went wrong with a bad file, and closes the previous picture only when a new one is read', async () => {
    const { store, decoded } = setup();
    await store.getState().identifyFile(new File(['x'], 'one.jpg'));
    const first = decoded[0]!;
    const failing = setup({
      decode: async () => {
        throw new Error('This file is not an image Facet can read (it looks like a PDF).');
      },
    });
    await failing.store.getState().identifyFile(new File(['%PDF'], 'doc.pdf'));
    expect(failing.store.getState().error).toBe('This file is not an image Facet can read (it looks like a PDF).');
    expect(failing.store.getState().busy).toBe(false);
    await store.getState().identifyFile(new File(['x'], 'two.jpg'));
    expect(first.bitmap.close).toHaveBeenCalled();
    expect(store.getState().image?.name).toBe('two.jpg');
  });

  it('identifies camera frames from a still copy of each', async () => {
    const snapshot = vi.fn(async () => bitmap());
    const { store } = setup({ snapshot });
    await store.getState().identifyFrame({} as HTMLVideoElement);
    expect(snapshot).toHaveBeenCalledTimes(1);
    expect(store.getState().image?.name).toBe('Camera frame');
    expect(store.getState().faces).toHaveLength(2);
  });

  it('clears the previous photo and its names when a new file is refused', async () => {
    const opened: DecodedImage[] = [];
    const { store } = setup({
      decode: async (file) => {
        if (file.name.endsWith('.svg')) throw new Error(`"${file.name}" is an SVG drawing, which Facet does not open.`);
        const image = { bitmap: bitmap(), name: file.name, width: 640, height: 480, notice: null };
        opened.push({ ...image, originalWidth: 640, originalHeight: 480 });
        return opened.at(-1)!;
      },
    });
    await store.getState().identifyFile(new File(['x'], 'group.jpg'));
    expect(store.getState().faces).toHaveLength(2);
    await store.getState().identifyFile(new File(['<svg/>'], 'logo.svg'));
    expect(store.getState()).toMatchObject({
      error: '"logo.svg" is an SVG drawing, which Facet does not open.',
      image: null,
      faces: null,
      found: null,
      busy: false,
    });
    expect(opened[0]!.bitmap.close).toHaveBeenCalled();
  });

  it('reports every face found, also when the face cap compared only some', async () => {
    const { store } = setup({ analyse: async () => ({ faces: [faceAt(0, 1), faceAt(100, 2)], found: 36, ms: 5 }) });
    await store.getState().identifyFile(new File(['x'], 'crowd.jpg'));
    expect(store.getState()).toMatchObject({ found: 36 });
    expect(store.getState().faces).toHaveLength(2);
    const uncounted = setup();
    await uncounted.store.getState().identifyFile(new File(['x'], 'pair.jpg'));
    expect(uncounted.store.getState().found).toBe(2);
  });
});
