import { describe, expect, it } from 'vitest';
import { createImageSetReader } from './image-set';

// Node has no ImageBitmap; the readers only pass bitmaps through, so any object with close() does.
const bitmap = () => {
  const b = { width: 4, height: 4, closed: false, close: () => (b.closed = true) };
  return b as unknown as ImageBitmap;
};

const decode = async (file: Blob & { name?: string }) => {
  const text = await file.text();
  if (text.startsWith('not')) throw new Error(`"${file.name}" is a text file, not an image.`);
  return {
    bitmap: bitmap(),
    name: file.name ?? 'image',
    notice: text === 'big' ? `"${file.name}" was downscaled.` : null,
  };
};

const manifest = [
  { id: 'a', file: 'a.jpg', title: 'Alpha', kind: 'photo', width: 4, height: 4, credit: 'x' },
  { id: 'b', file: 'b.png', title: 'Beta', kind: 'painting', width: 4, height: 4, credit: 'y' },
];

describe('createImageSetReader', () => {
  it('loads the samples listed in the manifest under the base URL', async () => {
    const urls: string[] = [];
    const reader = createImageSetReader({
      baseUrl: '/app/',
      decode,
      openGallery: () => Promise.reject(new Error('unused')),
      fetcher: async (url) => {
        urls.push(url);
        if (url.endsWith('manifest.json')) return new Response(JSON.stringify(manifest));
        return new Response(new Blob(['pixels'], { type: 'image/jpeg' }));
      },
    });
    const samples = await reader.loadSamples();
    expect(urls).toEqual(['/app/samples/manifest.json', '/app/samples/a.jpg', '/app/samples/b.png']);
    expect(samples.map((s) => [s.id, s.name, s.origin, s.descriptor.name])).toEqual([
      ['sample-a', 'Alpha', 'sample', 'sample:a.jpg'],
      ['sample-b', 'Beta', 'sample', 'sample:b.png'],
    ]);
    expect(samples[0]!.descriptor.size).toBe(6);
  });

  it('names gallery thumbnails by person, numbered when one has several', async () => {
    const thumb = (id: string) => ({ id, blob: new Blob(['t']), created: 5 });
    const reader = createImageSetReader({
      baseUrl: '/',
      decodeThumbnail: async () => bitmap(),
      openGallery: async () => ({
        listIdentities: async () => [
          { id: 'p1', name: 'Ada' },
          { id: 'p2', name: 'Bo' },
        ],
        thumbnails: async (id) => (id === 'p1' ? [thumb('t1'), thumb('t2')] : [thumb('t3')]),
      }),
    });
    const images = await reader.readGallery();
    expect(images.map((i) => [i.id, i.name])).toEqual([
      ['gallery-t1', 'Ada (1)'],
      ['gallery-t2', 'Ada (2)'],
      ['gallery-t3', 'Bo'],
    ]);
    expect(images[0]!.descriptor).toEqual({ name: 'gallery:t1', size: 1, lastModified: 5 });
  });

  it('closes what it decoded when the gallery fails part-way', async () => {
    const made: ImageBitmap[] = [];
    const reader = createImageSetReader({
      baseUrl: '/',
      decodeThumbnail: async () => {
        const b = bitmap();
        made.push(b);
        return b;
      },
      openGallery: async () => ({
        listIdentities: async () => [
          { id: 'p1', name: 'Ada' },
          { id: 'p2', name: 'Bo' },
        ],
        thumbnails: async (id) => {
          if (id === 'p2') throw new Error('damaged');
          return [{ id: 't1', blob: new Blob(['t']), created: 1 }];
        },
      }),
    });
    await expect(reader.readGallery()).rejects.toThrow('damaged');
    expect(made.map((b) => (b as unknown as { closed: boolean }).closed)).toEqual([true]);
  });

  it('keeps the files that decode and says why the others were refused', async () => {
    const reader = createImageSetReader({
      baseUrl: '/',
      decode,
      openGallery: () => Promise.reject(new Error('unused')),
    });
    const files = [new File(['ok'], 'one.png'), new File(['not a picture'], 'notes.txt'), new File(['big'], 'two.jpg')];
    const first = await reader.importFiles(files);
    expect(first.added.map((i) => [i.id, i.name, i.descriptor.name])).toEqual([
      ['dropped-1', 'one.png', 'file:one.png'],
      ['dropped-2', 'two.jpg', 'file:two.jpg'],
    ]);
    expect(first.problems).toEqual(['"notes.txt" is a text file, not an image.']);
    expect(first.notices).toEqual(['"two.jpg" was downscaled.']);
    // Ids keep counting, so a second drop never reuses one.
    expect((await reader.importFiles([new File(['ok'], 'three.png')])).added[0]!.id).toBe('dropped-3');
  });
});
