import 'fake-indexeddb/auto';
import { IDBFactory } from 'fake-indexeddb';
import { describe, expect, it } from 'vitest';
import { GalleryError } from './errors';
import { openStudio, type StoredModel, type StyleWork } from './studio';

const work = (id: string, created: number): StyleWork => ({
  id,
  title: `work ${id}`,
  created,
  image: new Blob([new Uint8Array([137, 80, 78, 71])], { type: 'image/png' }),
  width: 64,
  height: 48,
  settings: { size: 64, lossNetwork: 'vgg19-random' },
  costs: { total: 3, content: 1, style: 2, tv: 0 },
  iterations: 10,
});

const model = (id: string, modelId: string, created: number): StoredModel => ({
  id,
  kind: 'head',
  modelId,
  name: id,
  created,
  data: { weights: [new Float32Array([1, 2])] },
  metrics: { eer: 0.1 },
});

describe('studio database', () => {
  it('keeps works newest first and deletes them', async () => {
    const db = await openStudio(new IDBFactory());
    await db.saveWork(work('a', 1));
    await db.saveWork(work('b', 2));
    expect((await db.listWorks()).map((w) => w.id)).toEqual(['b', 'a']);
    await db.deleteWork('b');
    const [only] = await db.listWorks();
    expect(only?.id).toBe('a');
    expect(only?.settings).toEqual({ size: 64, lossNetwork: 'vgg19-random' });
    db.close();
  });

  it('lists trained models per embedder, so a head is never offered for another model', async () => {
    const db = await openStudio(new IDBFactory());
    await db.saveModel(model('h1', 'faceres', 1));
    await db.saveModel(model('h2', 'mobilefacenet', 2));
    await db.saveModel(model('h3', 'faceres', 3));
    expect((await db.listModels('faceres')).map((m) => m.id)).toEqual(['h3', 'h1']);
    expect((await db.listModels()).length).toBe(3);
    expect((await db.getModel('h2'))?.data).toEqual({ weights: [new Float32Array([1, 2])] });
    db.close();
  });

  it('survives reopening', async () => {
    const factory = new IDBFactory();
    const first = await openStudio(factory);
    await first.saveWork(work('a', 1));
    first.close();
    const second = await openStudio(factory);
    expect((await second.listWorks()).length).toBe(1);
    second.close();
  });

  it('says plainly when there is no IndexedDB', async () => {
    await expect(openStudio(undefined)).rejects.toBeInstanceOf(GalleryError);
    await expect(openStudio(undefined)).rejects.toThrow(/does not let Facet store data/);
  });
});
