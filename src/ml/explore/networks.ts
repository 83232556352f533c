// The networks the Explorer looks inside, and one loader for all of them. A loaded network comes
// back as a handle with its layers already described (receptive fields, whether gradients reach
// the input), so a store can show the layer picker without touching the network itself.
import type * as tf from '@tensorflow/tfjs';
import type { LoadProgress } from '../runtime/models';
import type { ConvNetwork } from '../nets/network';
import type { LoadLossNetworkOptions } from '../style/networks';
import { createResNet50Network, RESNET50_DEFAULTS, RESNET50_LABEL } from '../style/resnet50';
import { classifierHints } from './class-hints';
import { VGG19_LABEL } from '../style/vgg19-random';
import { FACE_GRAPH_NETWORKS, graphModelNetwork, type FaceGraphNetworkId } from './graph-network';
import { receptiveField, type ReceptiveField } from '../nets/geometry';

export type ExploreNetworkId = 'vgg19-random' | 'resnet50' | FaceGraphNetworkId;

export interface ExploreNetworkChoice {
  id: ExploreNetworkId;
  label: string;
  description: string;
}

/** Trained networks first: the Explorer opens on FaceRes (shipped and precached). */
export const EXPLORE_NETWORKS: readonly ExploreNetworkChoice[] = [
  {
    id: 'faceres',
    label: FACE_GRAPH_NETWORKS.faceres.label,
    description:
      'The face embedder, trained on millions of faces (224×224 input, 1024-D embedding). Shipped with the app: ' +
      'nothing to download. Its units have learned what tells faces apart.',
  },
  {
    id: 'resnet50',
    label: RESNET50_LABEL,
    description:
      'ResNet-50 trained on ImageNet’s 1,000 classes of everyday things, for general pictures. ' +
      'A 100 MB download the first time you pick it, kept for offline use after that.',
  },
  {
    id: 'vgg19-random',
    label: `${VGG19_LABEL} — untrained`,
    description:
      'Untrained: what structure alone gives. Style Studio’s loss network with seeded random weights: its units have ' +
      'learned nothing, so what they respond to comes from the architecture alone — a baseline for the trained ones.',
  },
  {
    id: 'blazeface',
    label: FACE_GRAPH_NETWORKS.blazeface.label,
    description: 'The face detector that finds faces in camera frames (256×256 input).',
  },
  {
    id: 'facemesh',
    label: FACE_GRAPH_NETWORKS.facemesh.label,
    description: 'The landmark model that places 468 points on a face (192×192 input).',
  },
];

export const isFaceNetwork = (id: ExploreNetworkId): id is FaceGraphNetworkId => id in FACE_GRAPH_NETWORKS;

export const networkLabel = (id: ExploreNetworkId): string => EXPLORE_NETWORKS.find((n) => n.id === id)?.label ?? id;

/** Face networks take square images of this side; null: any size. */
export const networkInputSize = (id: ExploreNetworkId): number | null =>
  isFaceNetwork(id) ? FACE_GRAPH_NETWORKS[id].inputSize : null;

export interface ExploreLayer {
  name: string;
  kind: string;
  channels: number;
  rf: ReceptiveField;
  /** Whether gradients reach the input from this layer (always true for the style networks). */
  differentiable: boolean;
}

/** A loaded network. `close()` frees its weights (a face model stays with the registry that owns it). */
export interface ExploreNetwork {
  readonly id: ExploreNetworkId;
  readonly label: string;
  readonly layers: readonly ExploreLayer[];
  readonly inputSize: number | null;
  readonly net: ConvNetwork;
  /**
   * For each channel of `layer`, the names of the classes it most supports through the network's
   * classifier, best first; absent (or undefined) where the network has no classifier for that layer.
   */
  classHints?(layer: string, channels: readonly number[]): Promise<string[][] | undefined>;
  close(): void;
}

export function describeLayers(net: ConvNetwork): ExploreLayer[] {
  return net.layers.map((l) => ({
    name: l.name,
    kind: l.kind,
    channels: l.channels,
    rf: receptiveField(l.path),
    differentiable: l.differentiable ?? true,
  }));
}

/** A layer a few steps in: deep enough to show structure, shallow enough to run fast. */
export function defaultLayer(layers: readonly ExploreLayer[], previous: string | null): string | null {
  if (previous && layers.some((l) => l.name === previous)) return previous;
  return layers.find((l) => l.name === 'conv3_1')?.name ?? layers[Math.min(2, layers.length - 1)]?.name ?? null;
}

export interface NetworkLoaderOptions {
  /** The face model by id; the caller keeps ownership (Face ID uses the same graph). */
  loadFaceModel(id: FaceGraphNetworkId): Promise<tf.GraphModel>;
  loadLossNetwork(id: 'vgg19-random' | 'resnet50', options: LoadLossNetworkOptions): Promise<ConvNetwork>;
  /** Extra options for the style networks (base URL, manifest), asked for at each load. */
  lossNetworkOptions?(): Promise<LoadLossNetworkOptions>;
  /**
   * ResNet-50's Keras model itself, whose classifier gives the ImageNet classes a last-layer unit
   * supports, with the class names; without these ResNet-50 loads as a loss network, without hints.
   */
  loadResNet50Model?(onProgress: (p: LoadProgress) => void): Promise<tf.LayersModel>;
  imagenetLabels?(): Promise<readonly string[]>;
}

export interface NetworkLoader {
  run(id: ExploreNetworkId, onProgress?: (fraction: number | null) => void): Promise<ExploreNetwork>;
  close(): void;
}

export function createNetworkLoader(options: NetworkLoaderOptions): NetworkLoader {
  const open = new Set<ExploreNetwork>();
  return {
    async run(id, onProgress) {
      let net: ConvNetwork;
      let classHints: ExploreNetwork['classHints'];
      const progress = (p: LoadProgress) => onProgress?.(p.total ? p.loaded / p.total : null);
      if (isFaceNetwork(id)) {
        net = graphModelNetwork(await options.loadFaceModel(id), FACE_GRAPH_NETWORKS[id]);
      } else if (id === 'resnet50' && options.loadResNet50Model && options.imagenetLabels) {
        const [model, labels] = await Promise.all([options.loadResNet50Model(progress), options.imagenetLabels()]);
        try {
          net = createResNet50Network(model, { smoothing: false, ownsModel: true });
        } catch (e) {
          model.dispose();
          throw e;
        }
        const last = RESNET50_DEFAULTS.style[RESNET50_DEFAULTS.style.length - 1]!;
        classHints = classifierHints(model, labels, last, net.layers.find((l) => l.name === last)?.channels ?? 0);
      } else {
        net = await options.loadLossNetwork(id, {
          ...(await options.lossNetworkOptions?.()),
          // Top patches and feature visualisation look at raw activations, not Style Studio's smoothed ones.
          smoothing: false,
          onProgress: progress,
        });
      }
      const handle: ExploreNetwork = {
        id,
        label: net.label,
        layers: describeLayers(net),
        inputSize: networkInputSize(id),
        net,
        classHints,
        close() {
          if (!open.delete(handle)) return;
          net.dispose();
        },
      };
      open.add(handle);
      return handle;
    },
    close() {
      [...open].forEach((n) => n.close());
    },
  };
}
