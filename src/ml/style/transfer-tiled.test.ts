import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ConvNetwork } from '../nets/network';
import { tinyNetwork } from './tiny-network.testing';
import { runStyleTransfer, splitIterations, type StyleIterationInfo } from './transfer';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** The tiny network, recording the [height, width] of every image it is shown. */
function countingNetwork(): { network: ConvNetwork; seen: [number, number][] } {
  const inner = tinyNetwork(2);
  const seen: [number, number][] = [];
  return {
    seen,
    network: {
      ...inner,
      activations(images, layers) {
        seen.push([images.shape[1], images.shape[2]]);
        return inner.activations(images, layers);
      },
      dispose: () => inner.dispose(),
    },
  };
}

describe('tiled style transfer', () => {
  it('refines tile by tile at full size with the style Grams computed once', async () => {
    const { network, seen } = countingNetwork();
    const content = tf.randomUniform([96, 128, 3], 0, 1, 'float32', 3) as tf.Tensor3D;
    // A style image of its own aspect (1:3), so its passes through the network can be told apart.
    const style = tf.randomUniform([40, 120, 3], 0, 1, 'float32', 4) as tf.Tensor3D;
    const rows: StyleIterationInfo[] = [];
    const start = tf.memory().numTensors;
    const result = await runStyleTransfer({
      content,
      styles: [{ image: style }],
      network,
      settings: { size: 128, tileSize: 64, iterations: 4, optimiser: 'adam', learningRate: 0.05 },
      onIteration: (info) => rows.push(info),
    });
    expect(result.image.shape).toEqual([96, 128, 3]);
    const styleShapes = seen.filter(([h, w]) => Math.abs(w / h - 3) < 0.2);
    // One pass of S for the whole-image stage at 64 px, one for the tiled pass: not one per tile.
    expect(styleShapes).toHaveLength(2);
    const tiles = rows.filter((r) => r.tiles !== undefined);
    const tileCount = tiles[0]!.tiles!;
    expect(tileCount).toBeGreaterThan(2);
    expect(new Set(tiles.map((r) => r.tile)).size).toBe(tileCount);
    expect(tiles.every((r) => r.width <= 64 && r.height <= 64)).toBe(true);
    // 2 iterations at 64 px, then 2 per tile; every row says how many the run will take.
    expect(result.iterations).toBe(2 + 2 * tileCount);
    expect(rows.every((r) => r.plannedIterations === 2 + 2 * tileCount)).toBe(true);
    const pixels = await result.image.data();
    expect(pixels.every((v) => v >= 0 && v <= 1)).toBe(true);
    result.image.dispose();
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([content, style]);
    network.dispose();
  });

  it('does not tile at or under the limit', async () => {
    const { network } = countingNetwork();
    const content = tf.randomUniform([32, 32, 3], 0, 1, 'float32', 5) as tf.Tensor3D;
    const rows: StyleIterationInfo[] = [];
    const result = await runStyleTransfer({
      content,
      styles: [{ image: content }],
      network,
      settings: { size: 64, tileSize: 64, iterations: 2, optimiser: 'adam' },
      onIteration: (info) => rows.push(info),
    });
    expect(rows.some((r) => r.tiles !== undefined)).toBe(false);
    expect(result.image.shape).toEqual([64, 64, 3]);
    result.image.dispose();
    content.dispose();
    network.dispose();
  });

  it('says plainly what a tile size below the minimum is', async () => {
    const { network } = countingNetwork();
    const content = tf.zeros([32, 32, 3]) as tf.Tensor3D;
    await expect(
      runStyleTransfer({ content, styles: [{ image: content }], network, settings: { size: 64, tileSize: 20 } }),
    ).rejects.toThrow(/tileSize must be 0 \(no tiles\) or a whole number ≥ 64 px/);
    content.dispose();
    network.dispose();
  });
});

describe('splitIterations', () => {
  it('splits evenly with the remainder last', () => {
    expect(splitIterations(7, 1)).toEqual([7]);
    expect(splitIterations(7, 2)).toEqual([3, 4]);
    expect(splitIterations(10, 3)).toEqual([3, 3, 4]);
  });
});
