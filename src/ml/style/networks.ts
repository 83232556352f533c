// The loss networks Style Studio and Explorer can look through, and one way to load any of them.
import type { Fetcher, LoadProgress, ModelManifest } from '../runtime/models';
import { loadCustomNetwork, type CustomModelSource, type InputPreprocessing } from './custom-network';
import type { ConvNetwork } from '../nets/network';
import { loadResNet50Network, RESNET50_LABEL } from './resnet50';
import { createRandomVgg19, VGG19_LABEL } from './vgg19-random';

/** The networks Style Studio can compute its costs through. */
export type LossNetworkId = 'vgg19-random' | 'resnet50' | 'custom';

export interface LoadLossNetworkOptions {
  /** vgg19-random: the weights' seed. */
  seed?: number;
  /** Softmax-smooth activation maps (after SWAG). Default: off. */
  smoothing?: boolean;
  /** resnet50: the app's base URL, under which models/ is served. */
  baseUrl?: string;
  fetcher?: Fetcher;
  manifest?: ModelManifest;
  onProgress?: (p: LoadProgress) => void;
  /** custom: the dropped files (model.json + .bin shards) or an IOHandler. */
  source?: CustomModelSource;
  /** custom: the input range the model was trained on. */
  preprocessing?: InputPreprocessing;
  label?: string;
}

export interface LossNetworkChoice {
  id: LossNetworkId;
  label: string;
  description: string;
  load(options?: LoadLossNetworkOptions): Promise<ConvNetwork>;
}

export const LOSS_NETWORKS: readonly LossNetworkChoice[] = [
  {
    id: 'vgg19-random',
    label: VGG19_LABEL,
    description:
      'The VGG-19 architecture with seeded random weights: nothing to download, and it still transfers style, ' +
      'because the architecture does most of the work. It takes on the painting’s colours most. Average pooling.',
    load: async (o = {}) => createRandomVgg19({ seed: o.seed, smoothing: o.smoothing }),
  },
  {
    id: 'resnet50',
    label: RESNET50_LABEL,
    description:
      'ResNet-50 trained on ImageNet (100 MB, downloaded on first use). It paints in the painting’s strokes and ' +
      'shapes and keeps more of your photo’s colours than VGG-19; it steps with Adam.',
    load: async (o = {}) => {
      if (o.baseUrl === undefined) throw new Error('Loading ResNet-50 needs the base URL the app serves models from.');
      return loadResNet50Network({ ...o, baseUrl: o.baseUrl });
    },
  },
  {
    id: 'custom',
    label: 'Your own model',
    description:
      'A Keras model converted to a tfjs layers model: drop its model.json with its .bin weight files, and say ' +
      'which input range it was trained on.',
    load: async (o = {}) => {
      if (!o.source) throw new Error('Drop a model.json with its .bin weight files to use your own model.');
      return loadCustomNetwork(o.source, { preprocessing: o.preprocessing, smoothing: o.smoothing, label: o.label });
    },
  },
];

export function loadLossNetwork(id: LossNetworkId, options: LoadLossNetworkOptions = {}): Promise<ConvNetwork> {
  const choice = LOSS_NETWORKS.find((n) => n.id === id);
  if (!choice) return Promise.reject(new Error(`There is no loss network called "${id}".`));
  return choice.load(options);
}
