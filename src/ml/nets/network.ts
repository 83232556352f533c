// The contract between the code that looks inside convnets (Style Studio's loss networks, the
// Explorer) and the networks themselves. A network maps an image to the activations of named
// layers; its layer list carries each layer's geometry so receptive fields can be worked out
// without running the network.
import type * as tf from '@tensorflow/tfjs';

export type NetworkId = 'vgg19-random' | 'resnet50' | 'custom' | 'blazeface' | 'faceres' | 'facemesh';

/** How one layer changes the spatial grid: what receptive-field arithmetic needs. */
export interface LayerGeometry {
  kernel: number;
  stride: number;
  /** Pixels of padding before the first row/column ('same' padding resolved to a number). */
  padding: number;
}

export interface LayerInfo {
  name: string;
  /** 'conv', 'pool', 'add', 'activation', ... – for grouping in pickers. */
  kind: string;
  /** Channels of the layer's output. */
  channels: number;
  /**
   * The chain of spatial operations from the input up to and including this layer, in order.
   * Layers that keep the grid (activations, batch norm, 1×1 stride-1 convs) may be left out.
   */
  path: LayerGeometry[];
  /** Whether gradients reach the input from this layer; absent means they do. */
  differentiable?: boolean;
}

export interface ConvNetwork {
  readonly id: NetworkId;
  readonly label: string;
  /** Layers the user may pick, shallow to deep. */
  readonly layers: readonly LayerInfo[];
  /** Default layers for the content and style costs. */
  readonly defaults: { content: string; style: string[] };
  /**
   * Whether the network has depthwise convolutions (wasm has no gradient for them); absent: judged
   * from the layer kinds (see usesDepthwise in runtime/gradients.ts).
   */
  readonly depthwise?: boolean;
  /**
   * Activations of the given layers for a batch of images [N, H, W, 3] in 0..1 (RGB),
   * in the order asked. The network applies its own input normalisation. Differentiable:
   * style transfer and feature visualisation take gradients through it.
   */
  activations(images: tf.Tensor4D, layers: readonly string[]): tf.Tensor4D[];
  /**
   * Makes ready, a piece at a time with the page painting in between, what the first
   * `activations` for these layers would otherwise make in one go (weights built on first use).
   * Optional; without it the first call does the work.
   */
  prepare?(layers: readonly string[]): Promise<void>;
  dispose(): void;
}
