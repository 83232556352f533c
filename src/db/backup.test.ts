import { afterEach, describe, expect, it, vi } from 'vitest';
import { BACKUP_FORMAT, decodeBackup } from './backup';
import { fromUtf8, sha256Hex, utf8 } from './encoding';
import type { Gallery } from './gallery';
import { blobBytes, embedding, freshGallery, jpeg, rawDump, rejection } from './test-utils';

afterEach(() => vi.restoreAllMocks());

/** Floats that a lossy encoding would get wrong: signed zero, subnormals, extremes, non-dyadic values. */
const TRICKY = new Float32Array([-0, 1.401298464324817e-45, 1e-40, 3.4028234663852886e38, -0.1, 1 / 3, 42]);

async function populate(gallery: Gallery) {
  const ada = await gallery.addIdentity('Ada Lovelace', 'notes with "quotes", \\ and ünïcödé ✓');
  const bob = await gallery.addIdentity('Bob');
  await gallery.addIdentity('Cleo (no templates)');
  await gallery.addTemplate(
    ada.id,
    { embedding: TRICKY, modelId: 'tiny', quality: 0.25, source: 'photo' },
    { blob: jpeg(300, 1), width: 20, height: 15 },
  );
  await gallery.addTemplate(ada.id, {
    embedding: embedding(192, 1),
    modelId: 'mobilefacenet',
    quality: 1,
    source: 'webcam',
  });
  await gallery.addTemplate(
    bob.id,
    { embedding: embedding(192, 2), modelId: 'mobilefacenet', quality: 0, source: 'webcam' },
    { blob: new Blob([new Uint8Array([0x89, 0x50, 1, 2, 3])], { type: 'image/png' }), width: 4, height: 4 },
  );
  return { ada, bob };
}

/** Everything a user can see in a gallery, with floats as raw bytes so equality is bit-exact. */
async function content(gallery: Gallery) {
  const identities = await gallery.listIdentities();
  const models: Record<string, unknown> = {};
  for (const modelId of ['tiny', 'mobilefacenet', 'faceres']) {
    const p = await gallery.templatesForModel(modelId);
    models[modelId] = {
      ids: p.ids,
      identityIds: p.identityIds,
      dim: p.dim,
      bytes: [...new Uint8Array(p.matrix.buffer)],
    };
  }
  const thumbnails = [];
  for (const identity of identities) {
    for (const t of await gallery.thumbnails(identity.id)) {
      thumbnails.push({ ...t, blob: { type: t.blob.type, bytes: await blobBytes(t.blob) } });
    }
  }
  return { identities, models, thumbnails };
}

type Doc = Record<string, unknown> & { payload: Record<string, Record<string, unknown>[]> };

function parse(bytes: Uint8Array): Doc {
  return JSON.parse(fromUtf8(bytes)) as Doc;
}

/** Re-serialise a (possibly edited) document with a correct checksum and counts, as a forger would. */
async function resign(doc: Doc): Promise<Uint8Array> {
  const { payload } = doc;
  const counts = {
    identities: payload.identities?.length,
    templates: payload.templates?.length,
    thumbnails: payload.thumbnails?.length,
  };
  const sha256 = await sha256Hex(utf8(JSON.stringify(payload)));
  return utf8(JSON.stringify({ ...doc, counts, sha256 }));
}

async function exported() {
  const source = await freshGallery();
  const ids = await populate(source.gallery);
  const { bytes } = await source.gallery.exportBackup({ app: 'Facet test' });
  return { ...source, ...ids, bytes };
}

describe('backup export', () => {
  it('writes one JSON document with a header and the SHA-256 of its payload', async () => {
    const { gallery, bytes } = await exported();
    const doc = parse(bytes);
    expect(doc).toMatchObject({
      format: 'facet-gallery-backup',
      version: 1,
      app: 'Facet test',
      counts: { identities: 3, templates: 3, thumbnails: 2 },
    });
    expect(new Date(doc.created as string).getTime()).toBeGreaterThan(1_600_000_000_000);
    expect(doc.sha256).toBe(await sha256Hex(utf8(JSON.stringify(doc.payload))));
    const tiny = doc.payload.templates?.find((t) => t.modelId === 'tiny');
    // Base64 of the float32 little-endian bytes: -0 is 00 00 00 80.
    expect((tiny?.embedding as string).slice(0, 8)).toBe('AAAAgAEA');
    const png = doc.payload.thumbnails?.find((t) => t.type === 'image/png');
    expect(png?.data).toBe('iVABAgM=');
    const file = await gallery.exportBackup();
    expect(file.fileName).toMatch(/^facet-gallery-\d{4}-\d{2}-\d{2}\.json$/);
    expect(file.mimeType).toBe('application/json');
  });
});

describe('backup import', () => {
  it('round-trips a gallery into an empty one, bit-exact', async () => {
    const { gallery, bytes } = await exported();
    const target = await freshGallery();
    const report = await target.gallery.importBackup(bytes, { mode: 'merge' });
    expect(report.added).toEqual({ identities: 3, templates: 3, thumbnails: 2 });
    expect(await content(target.gallery)).toEqual(await content(gallery));
    const [tinyRow] = (await target.gallery.templatesForModel('tiny')).matrix.subarray(0, 1);
    expect(Object.is(tinyRow, -0)).toBe(true);
    // Exporting the imported gallery gives back the same payload, checksum and all.
    const again = parse((await target.gallery.exportBackup()).bytes);
    expect(again.sha256).toBe(parse(bytes).sha256);
  });

  it('accepts a Blob as well as bytes', async () => {
    const { bytes } = await exported();
    const target = await freshGallery();
    await target.gallery.importBackup(new Blob([new Uint8Array(bytes)]), { mode: 'replace' });
    expect(await target.gallery.count()).toEqual({ identities: 3, templates: 3, thumbnails: 2 });
  });

  it('merge skips records that are already there unchanged', async () => {
    const { gallery, factory, bytes } = await exported();
    const before = await rawDump(factory);
    const report = await gallery.importBackup(bytes, { mode: 'merge' });
    expect(report).toEqual({
      mode: 'merge',
      added: { identities: 0, templates: 0, thumbnails: 0 },
      skipped: { identities: 3, templates: 3, thumbnails: 2 },
      reIded: { identities: 0, templates: 0, thumbnails: 0 },
    });
    expect({ ...(await rawDump(factory)), meta: [] }).toEqual({ ...before, meta: [] });
  });

  it('merge gives new ids to records whose id is taken by different content, and links follow', async () => {
    const { gallery, ada, bytes } = await exported();
    await gallery.rename(ada.id, 'Ada King'); // same id, different content now
    const report = await gallery.importBackup(bytes, { mode: 'merge' });
    // Ada comes back as a second identity; her two templates and thumbnail move with her.
    expect(report.reIded).toEqual({ identities: 1, templates: 2, thumbnails: 1 });
    expect(report.skipped).toEqual({ identities: 2, templates: 1, thumbnails: 1 });
    const list = await gallery.listIdentities();
    expect(list.map((i) => [i.name, i.templateCount, i.thumbnailCount])).toEqual([
      ['Ada King', 2, 1],
      ['Ada Lovelace', 2, 1],
      ['Bob', 1, 1],
      ['Cleo (no templates)', 0, 0],
    ]);
    const imported = list[1]!;
    expect(imported.id).not.toBe(ada.id);
    const [thumb] = await gallery.thumbnails(imported.id);
    const tiny = await gallery.templatesForModel('tiny');
    expect(tiny.identityIds).toContain(imported.id);
    expect(thumb?.templateId).toBe(tiny.ids[tiny.identityIds.indexOf(imported.id)]);
  });

  it('replace swaps the whole gallery for the backup', async () => {
    const { bytes } = await exported();
    const target = await freshGallery();
    const stranger = await target.gallery.addIdentity('Stranger');
    await target.gallery.addTemplate(stranger.id, { embedding: [1, 2], modelId: 'tiny', quality: 1, source: 'photo' });
    const report = await target.gallery.importBackup(bytes, { mode: 'replace' });
    expect(report.mode).toBe('replace');
    const names = (await target.gallery.listIdentities()).map((i) => i.name);
    expect(names).toEqual(['Ada Lovelace', 'Bob', 'Cleo (no templates)']);
    expect((await target.gallery.templatesForModel('tiny')).dim).toBe(TRICKY.length);
  });

  it('merge refuses templates whose dimension disagrees with the gallery, writing nothing', async () => {
    const { bytes } = await exported();
    const target = await freshGallery();
    const x = await target.gallery.addIdentity('X');
    await target.gallery.addTemplate(x.id, { embedding: [1, 2], modelId: 'tiny', quality: 1, source: 'photo' });
    const before = await rawDump(target.factory);
    const err = await rejection(target.gallery.importBackup(bytes, { mode: 'merge' }));
    expect(err.kind).toBe('bad-backup');
    expect(err.message).toMatch(/templates for model tiny have 7 values, but this gallery's have 2/);
    expect(await rawDump(target.factory)).toEqual(before);
  });

  it('lands whole or not at all: a failure midway through the write leaves the gallery unchanged', async () => {
    const { bytes } = await exported();
    for (const mode of ['merge', 'replace'] as const) {
      const target = await freshGallery();
      const x = await target.gallery.addIdentity('Existing');
      await target.gallery.addTemplate(x.id, { embedding: [1, 2], modelId: 'other', quality: 1, source: 'photo' });
      const before = await rawDump(target.factory);

      const original = IDBObjectStore.prototype.add;
      let templateAdds = 0;
      const spy = vi.spyOn(IDBObjectStore.prototype, 'add').mockImplementation(function (
        this: IDBObjectStore,
        ...args: Parameters<IDBObjectStore['add']>
      ) {
        if (this.name === 'templates' && ++templateAdds === 2) throw new DOMException('disk error', 'UnknownError');
        return original.apply(this, args);
      });
      const err = await rejection(target.gallery.importBackup(bytes, { mode }));
      spy.mockRestore();

      expect(templateAdds).toBe(2); // identities and the first template had been written by then
      expect(err.kind).toBe('unknown');
      expect(err.message).toMatch(/UnknownError: disk error/);
      expect(await rawDump(target.factory)).toEqual(before);
    }
  });
});

describe('backup refusals', () => {
  async function refusal(data: Uint8Array | Blob) {
    const target = await freshGallery();
    const x = await target.gallery.addIdentity('Existing');
    const before = await rawDump(target.factory);
    const err = await rejection(target.gallery.importBackup(data, { mode: 'replace' }));
    expect(err.kind).toBe('bad-backup');
    expect(await rawDump(target.factory)).toEqual(before); // refused before anything was written
    expect((await target.gallery.getIdentity(x.id))?.name).toBe('Existing');
    return err.message;
  }

  it('a truncated file', async () => {
    const { bytes } = await exported();
    expect(await refusal(bytes.slice(0, Math.floor(bytes.length * 0.6)))).toBe(
      'The backup is damaged: it is incomplete or broken (was the download or copy interrupted?).',
    );
  });

  it('a file with one byte edited', async () => {
    const { bytes } = await exported();
    const text = fromUtf8(bytes);
    const at = text.indexOf('"embedding":"') + 20; // inside the first embedding's base64
    const edited = utf8(text.slice(0, at) + (text[at] === 'A' ? 'B' : 'A') + text.slice(at + 1));
    expect(edited.length).toBe(bytes.length);
    expect(await refusal(edited)).toBe('The backup is damaged: its checksum does not match.');
  });

  it('foreign JSON, non-JSON text, an empty file', async () => {
    expect(await refusal(utf8('{"name":"my-app","version":"1.0.0"}'))).toBe(
      'This file is not a Facet backup (it is JSON, but not written by Facet).',
    );
    expect(await refusal(utf8('[1, 2, 3]'))).toBe(
      'This file is not a Facet backup (it is JSON, but not written by Facet).',
    );
    expect(await refusal(utf8('id,name\n1,Ada\n'))).toBe(
      'This file is not a Facet backup (it is not a JSON document).',
    );
    expect(await refusal(new Uint8Array(0))).toBe('This file is not a Facet backup (the file is empty).');
  });

  it('image and archive files, by their magic bytes', async () => {
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
    expect(await refusal(png)).toBe('This file is not a Facet backup (it looks like a PNG image).');
    expect(await refusal(jpeg(100))).toBe('This file is not a Facet backup (it looks like a JPEG image).');
    expect(await refusal(new Uint8Array([0x50, 0x4b, 0x03, 0x04, 20, 0]))).toBe(
      'This file is not a Facet backup (it looks like a ZIP archive).',
    );
  });

  it('a backup from a newer format version, or with a nonsense version', async () => {
    const doc = parse((await exported()).bytes);
    expect(await refusal(await resign({ ...doc, version: 2 }))).toBe(
      'This backup was made by a newer version of Facet (backup format 2); update the app to import it.',
    );
    expect(await refusal(await resign({ ...doc, version: '1' }))).toBe(
      'The backup is damaged: its format version is missing or not valid.',
    );
  });

  it('a template whose identity is not in the backup', async () => {
    const doc = parse((await exported()).bytes);
    const template = doc.payload.templates![0]!;
    template.identityId = 'nobody';
    expect(await refusal(await resign(doc))).toBe(
      `The backup cannot be imported: template 1 (id ${String(template.id)}): ` +
        'it belongs to identity nobody, which is not in the backup.',
    );
  });

  it('inconsistent records, even with a correct checksum', async () => {
    const fresh = async () => parse((await exported()).bytes);
    const cases: [(doc: Doc) => void, RegExp][] = [
      [(d) => (d.payload.identities![1]!.id = d.payload.identities![0]!.id), /identity id .* appears more than once/],
      [(d) => (d.payload.identities![0]!.name = ''), /identity 1 .*: the name is empty/],
      [(d) => (d.payload.templates![0]!.embedding = 'not base64!'), /template 1 .*: its embedding is not valid base64/],
      [(d) => (d.payload.templates![0]!.dim = 8), /its embedding has \d+ bytes, but 8 float32 values need 32/],
      [
        (d) => Object.assign(d.payload.templates![0]!, { dim: 1, embedding: 'AADAfw==' }), // one float32 NaN
        /template 1 .*: the embedding has an invalid value \(NaN\) at position 0/,
      ],
      [(d) => (d.payload.templates![0]!.quality = 7), /the quality must be a number from 0 to 1 \(got 7\)/],
      [(d) => (d.payload.templates![0]!.source = 'scan'), /the source must be one of photo, webcam/],
      [(d) => (d.payload.thumbnails![0]!.templateId = 'nope'), /refers to template nope, which is not in the backup/],
      [(d) => (d.payload.thumbnails![0]!.type = 'text/html'), /"text\/html" is not an image type/],
      [(d) => (d.payload.thumbnails![0]!.width = 1.5), /thumbnail size 1\.5×/],
      [
        (d) => (d.payload.thumbnails = 'none' as unknown as []),
        /missing a list of identities, templates or thumbnails/,
      ],
    ];
    for (const [edit, message] of cases) {
      const doc = await fresh();
      edit(doc);
      expect(await refusal(await resign(doc))).toMatch(message);
    }
  });

  it('a header whose counts disagree with the payload', async () => {
    const doc = parse((await exported()).bytes);
    const bytes = utf8(JSON.stringify({ ...doc, counts: { identities: 3, templates: 4, thumbnails: 2 } }));
    expect(await refusal(bytes)).toBe('The backup is damaged: its header counts 4 templates, but it holds 3.');
  });

  it('decodeBackup validates without a gallery (for a preview before import)', async () => {
    const { bytes } = await exported();
    const { header, content } = await decodeBackup(bytes);
    expect(header.format).toBe(BACKUP_FORMAT);
    expect(content.templates.find((t) => t.modelId === 'tiny')?.embedding).toEqual(TRICKY);
  });
});
