// Test-only: a tiny loss network of two fixed 3×3 convolutions with tanh (smooth, so finite
// differences agree with gradients), standing in for VGG in the style and optimiser tests.
import * as tf from '@tensorflow/tfjs';
import type { ConvNetwork } from '../nets/network';

export function tinyNetwork(seed = 1, channels: [number, number] = [4, 6]): ConvNetwork {
  const [c1, c2] = channels;
  const w1 = tf.randomNormal([3, 3, 3, c1], 0, 0.5, 'float32', seed) as tf.Tensor4D;
  const w2 = tf.randomNormal([3, 3, c1, c2], 0, 0.3, 'float32', seed + 1) as tf.Tensor4D;
  return {
    id: 'custom',
    label: 'tiny test network',
    layers: [
      { name: 'conv1', kind: 'conv', channels: c1, path: [{ kernel: 3, stride: 1, padding: 1 }] },
      {
        name: 'conv2',
        kind: 'conv',
        channels: c2,
        path: [
          { kernel: 3, stride: 1, padding: 1 },
          { kernel: 3, stride: 2, padding: 1 },
        ],
      },
    ],
    defaults: { content: 'conv2', style: ['conv1', 'conv2'] },
    activations(images, layers) {
      return tf.tidy(() => {
        const a1 = tf.tanh(tf.conv2d(images.sub(0.5) as tf.Tensor4D, w1, 1, 'same'));
        const a2 = tf.tanh(tf.conv2d(a1, w2, 2, 'same'));
        return layers.map((name) => {
          if (name === 'conv1') return a1;
          if (name === 'conv2') return a2;
          throw new Error(`tiny network has no layer ${name}`);
        });
      });
    },
    dispose() {
      tf.dispose([w1, w2]);
    },
  };
}
