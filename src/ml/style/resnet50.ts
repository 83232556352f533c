// ResNet-50 trained on ImageNet (Keras, converted to a tfjs layers model) as a loss network.
// Its convolutional trunk takes any image size; the pooled classifier head is never run for
// style. Softmax smoothing of the activations (after SWAG: Wang, Li & Vasconcelos, CVPR 2021) is
// there to pick, but off by default: with Adam, ResNet-50 moved further towards the painting
// without it, at 128 and 256 px, by eye and by the judge (docs/style.md).
import type * as tf from '@tensorflow/tfjs';
import { fetchManifest, loadLayersModel, type Fetcher, type LoadProgress, type ModelManifest } from '../runtime/models';
import { LayerGraph, layersModelNetwork } from './custom-network';
import type { LayerInfo, ConvNetwork } from '../nets/network';

/** The manifest id of the shipped model (scripts/prepare-assets.mjs). */
export const RESNET50_MODEL_ID = 'resnet50';

export const RESNET50_LABEL = 'ResNet-50 (ImageNet)';

/**
 * Style from conv1 and the last block of each stage, content from the last block of stage 4:
 * the layers of the SWAG authors' reference code (their conv0_0, conv1_2, conv2_3, conv3_5,
 * conv4_2; content conv3_5): one style layer per resolution, as Gatys et al. take one per VGG
 * block, and a content layer deep enough (stride 16) to keep objects' layout but not their texture.
 */
export const RESNET50_DEFAULTS = {
  content: 'res4f',
  style: ['conv1', 'res2c', 'res3d', 'res4f', 'res5c'],
} as const;

export interface ResNet50Options {
  /** Softmax-smooth every activation map before it is compared (default false). */
  smoothing?: boolean;
}

/**
 * The layers worth picking, named as in the ResNet paper: conv1 (after its ReLU), pool1, and
 * each bottleneck block's output (after the add and its ReLU), res2a … res5c. They are found
 * through the graph rather than by Keras's auto-numbered names ('activation_48'), which change
 * with how the model was built.
 */
export function resnet50Layers(model: tf.LayersModel): (LayerInfo & { source: string })[] {
  const graph = new LayerGraph(model);
  const described = new Map(graph.describe().map((l) => [l.name, l]));
  const consumer = (name: string, className: string) => {
    const layer = graph.byName.get(name);
    return layer && graph.consumersOf(layer).find((l) => l.getClassName() === className);
  };
  const picks: { name: string; kind: string; source: string | undefined }[] = [
    { name: 'conv1', kind: 'activation', source: consumer('bn_conv1', 'Activation')?.name },
    { name: 'pool1', kind: 'pool', source: graph.order.find((l) => l.getClassName() === 'MaxPooling2D')?.name },
  ];
  for (const layer of graph.order) {
    const m = /^bn(\d)([a-z])_branch2c$/.exec(layer.name);
    if (!m) continue;
    const add = consumer(layer.name, 'Add');
    const relu = add && consumer(add.name, 'Activation');
    picks.push({ name: `res${m[1]}${m[2]}`, kind: 'block', source: relu?.name });
  }
  if (picks.length !== 18 || picks.some((p) => !p.source)) {
    throw new Error('This model does not have the layer structure of Keras ResNet-50, so its layers cannot be named.');
  }
  return picks.map(({ name, kind, source }) => {
    const d = described.get(source!)!;
    return { name, kind, channels: d.channels, path: d.path, source: source! };
  });
}

/** A ResNet-50 loss network over a loaded model; disposes the model only if `ownsModel`. */
export function createResNet50Network(
  model: tf.LayersModel,
  options: ResNet50Options & { ownsModel?: boolean } = {},
): ConvNetwork {
  return layersModelNetwork({
    id: 'resnet50',
    label: RESNET50_LABEL,
    model,
    layers: resnet50Layers(model),
    defaults: { content: RESNET50_DEFAULTS.content, style: [...RESNET50_DEFAULTS.style] },
    preprocessing: 'caffe',
    smoothing: options.smoothing ?? false,
    ownsModel: options.ownsModel ?? false,
  });
}

export interface LoadResNet50Options extends ResNet50Options {
  /** The app's base URL; weights come from `<baseUrl>models/resnet50/`. */
  baseUrl: string;
  fetcher?: Fetcher;
  /** An already fetched manifest, to save a request. */
  manifest?: ModelManifest;
  onProgress?: (p: LoadProgress) => void;
}

/** Downloads (100 MB, sha256-checked), loads and wraps ResNet-50; the caller disposes it. */
export async function loadResNet50Network(options: LoadResNet50Options): Promise<ConvNetwork> {
  const manifest = options.manifest ?? (await fetchManifest(options.baseUrl, options.fetcher));
  const entry = manifest.models.find((m) => m.id === RESNET50_MODEL_ID);
  if (!entry) throw new Error('ResNet-50 is not shipped with this version of Facet.');
  const model = await loadLayersModel(entry, options.baseUrl, options.onProgress, options.fetcher);
  try {
    return createResNet50Network(model, { ...options, ownsModel: true });
  } catch (e) {
    model.dispose();
    throw e;
  }
}
