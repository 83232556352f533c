import { describe, expect, it } from 'vitest';
import { LruCache, TopPatchCache, imageSetFingerprint, topPatchCacheKey } from './cache';
import type { ChannelTopPatches } from './top-patches';

describe('LruCache', () => {
  it('drops the least recently used entry past maxEntries', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number>({ maxEntries: 2, onEvict: (_, k) => evicted.push(k) });
    cache.set('a', 1).set('b', 2);
    expect(cache.get('a')).toBe(1); // a is now the most recent
    cache.set('c', 3);
    expect(evicted).toEqual(['b']);
    expect(cache.keys()).toEqual(['a', 'c']);
    // peek leaves recency alone, so a goes next.
    expect(cache.peek('a')).toBe(1);
    cache.set('d', 4);
    expect(evicted).toEqual(['b', 'a']);
    expect(cache.has('a')).toBe(false);
    expect(cache.get('missing')).toBeUndefined();
  });

  it('keeps the total cost under maxCost and refuses values too large for it', () => {
    const evicted: string[] = [];
    const cache = new LruCache<string, number[]>({
      maxEntries: 10,
      maxCost: 5,
      costOf: (v) => v.length,
      onEvict: (_, k) => evicted.push(k),
    });
    cache.set('a', [1, 2]).set('b', [1, 2]);
    expect(cache.totalCost).toBe(4);
    cache.set('c', [1, 2]);
    expect(evicted).toEqual(['a']);
    expect(cache.totalCost).toBe(4);
    cache.set('huge', [1, 2, 3, 4, 5, 6]);
    expect(evicted).toEqual(['a', 'b', 'c', 'huge']);
    expect(cache.size).toBe(0);
    expect(cache.totalCost).toBe(0);
  });

  it('reports replaced, deleted and cleared values to onEvict', () => {
    const evicted: number[] = [];
    const cache = new LruCache<string, number>({ onEvict: (v) => evicted.push(v) });
    cache.set('a', 1).set('a', 1).set('a', 2);
    expect(evicted).toEqual([1]);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    cache.set('x', 7).set('y', 8).clear();
    expect(evicted).toEqual([1, 2, 7, 8]);
    expect(cache.size).toBe(0);
    expect(() => new LruCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});

describe('imageSetFingerprint', () => {
  const set = [
    { name: 'cat.jpg', size: 1200 },
    { name: 'dog.jpg', size: 3400 },
  ];

  it('is stable and sensitive to names, sizes, hashes and order', () => {
    const fp = imageSetFingerprint(set);
    expect(fp).toMatch(/^2-[0-9a-f]{16}$/);
    expect(imageSetFingerprint(set.map((i) => ({ ...i })))).toBe(fp);
    const variants = [
      [set[1]!, set[0]!],
      [set[0]!, { name: 'dog.jpg', size: 3401 }],
      [set[0]!, { name: 'dog2.jpg', size: 3400 }],
      [set[0]!, { ...set[1]!, hash: 'ab12' }],
      [set[0]!],
    ];
    const prints = variants.map(imageSetFingerprint);
    expect(new Set([fp, ...prints]).size).toBe(variants.length + 1);
    expect(imageSetFingerprint([])).toMatch(/^0-/);
  });
});

describe('TopPatchCache', () => {
  const result = (hits: number): ChannelTopPatches[] => [
    { channel: 0, hits: Array.from({ length: hits }, (_, i) => ({ value: i, image: i, row: 0, col: 0 })) },
  ];

  it('keys on network, layer, image set and parameters', () => {
    const cache = new TopPatchCache();
    const key = { network: 'vgg19-random', layer: 'block3_conv1', imageSet: '2-00ff' };
    cache.set(key, result(9));
    expect(cache.get(key)?.[0]?.hits).toHaveLength(9);
    expect(cache.get({ ...key, layer: 'block4_conv1' })).toBeUndefined();
    expect(cache.get({ ...key, imageSet: '2-00fe' })).toBeUndefined();
    expect(cache.get({ ...key, params: 'k=4' })).toBeUndefined();
    expect(cache.has({ ...key, params: '' })).toBe(true);
    // Fields cannot run into each other.
    expect(topPatchCacheKey({ network: 'a|b', layer: 'c', imageSet: 'd' })).not.toBe(
      topPatchCacheKey({ network: 'a', layer: 'b|c', imageSet: 'd' }),
    );
  });

  it('caps the number of hits held and forgets a network on request', () => {
    const cache = new TopPatchCache({ maxHits: 20 });
    const key = (layer: string, network = 'resnet50') => ({ network, layer, imageSet: 'x' });
    cache.set(key('a'), result(9));
    cache.set(key('b'), result(9));
    cache.set(key('c'), result(9));
    expect([cache.has(key('a')), cache.has(key('b')), cache.has(key('c'))]).toEqual([false, true, true]);
    cache.set(key('d', 'vgg19-random'), result(1));
    cache.deleteNetwork('resnet50');
    expect(cache.size).toBe(1);
    expect(cache.delete(key('d', 'vgg19-random'))).toBe(true);
    cache.set(key('e'), result(1));
    cache.clear();
    expect(cache.size).toBe(0);
  });
});
