import { describe, expect, it } from 'vitest';
import { Pacer, sortPaced } from './pacer';

describe('Pacer', () => {
  it('says a slice is used up only once its time has passed, and counts its yields', async () => {
    let t = 0;
    const pacer = new Pacer({ sliceMs: 10, now: () => t, yieldTo: () => Promise.resolve(), checkEvery: 1 });
    t = 9;
    expect(pacer.due()).toBe(false);
    t = 10;
    expect(pacer.due()).toBe(true);
    await pacer.yield();
    expect(pacer.due()).toBe(false); // a new slice starts after the yield
    expect(pacer.yields).toBe(1);
  });

  it('reads the clock only on every n-th check', () => {
    let reads = 0;
    const pacer = new Pacer({ sliceMs: 0, now: () => reads++, checkEvery: 4 });
    reads = 0;
    const answers = Array.from({ length: 8 }, () => pacer.due());
    expect(answers).toEqual([false, false, false, true, false, false, false, true]);
    expect(reads).toBe(2);
  });
});

describe('sortPaced', () => {
  it('sorts like the built-in stable sort, across many runs, and yields while it works', async () => {
    // Keys with many ties, so stability shows: equal keys keep their input order.
    const items = Array.from({ length: 20_000 }, (_, i) => ({ key: (i * 7919) % 113, i }));
    const compare = (a: { key: number }, b: { key: number }) => a.key - b.key;
    const pacer = new Pacer({ sliceMs: 0, yieldTo: () => Promise.resolve(), checkEvery: 1000 });
    const sorted = await sortPaced([...items], compare, pacer);
    expect(sorted).toEqual([...items].sort(compare));
    expect(pacer.yields).toBeGreaterThan(10);
    expect(await sortPaced([], compare, pacer)).toEqual([]);
  });
});
