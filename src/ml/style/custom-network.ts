// A loss network from any Keras layers model: the user's own (dropped as model.json + .bin
// shards) and, through the same machinery, the shipped ResNet-50. The layer graph is read
// from the loaded model, so intermediate activations come from running just the layers a
// request needs, on an image of any size, not only the size the model was saved with.
import * as tf from '@tensorflow/tfjs';
import { assembleArtifacts } from '../runtime/models';
import type { LayerInfo, ConvNetwork } from '../nets/network';
import type { LossNetworkId } from './networks';
import { errorMessage } from '../core/errors';
import { defaultLayers, geometryChains } from '../nets/geometry';

type Layer = tf.LayersModel['layers'][number];

/** How a network expects its RGB input; images reach `activations()` in 0..1. */
export type InputPreprocessing = 'unit' | 'byte' | 'symmetric' | 'caffe' | 'imagenet';

export const INPUT_PREPROCESSING: readonly { id: InputPreprocessing; label: string; description: string }[] = [
  { id: 'unit', label: '0 … 1', description: 'RGB scaled to 0..1 (most tfjs-trained models)' },
  { id: 'byte', label: '0 … 255', description: 'RGB in 0..255, no mean subtracted' },
  { id: 'symmetric', label: '−1 … 1', description: 'RGB scaled to −1..1 (MobileNet, Inception)' },
  {
    id: 'caffe',
    label: 'Caffe (BGR, mean subtracted)',
    description: 'BGR in 0..255 minus the ImageNet mean pixel (Keras VGG and ResNet50)',
  },
  {
    id: 'imagenet',
    label: 'ImageNet mean/std',
    description: 'RGB in 0..1, minus the ImageNet mean and divided by its std (PyTorch models)',
  },
];

/** Keras "caffe" mode: the ImageNet mean pixel in B, G, R order, on the 0..255 scale. */
export const CAFFE_MEAN_BGR = [103.939, 116.779, 123.68] as const;
export const IMAGENET_MEAN_RGB = [0.485, 0.456, 0.406] as const;
export const IMAGENET_STD_RGB = [0.229, 0.224, 0.225] as const;

/** Maps [N, H, W, 3] RGB images in 0..1 to what a network was trained on. */
export function preprocessImages(images: tf.Tensor4D, mode: InputPreprocessing): tf.Tensor4D {
  return tf.tidy(() => {
    switch (mode) {
      case 'unit':
        return images.clone();
      case 'byte':
        return images.mul(255);
      case 'symmetric':
        return images.mul(2).sub(1);
      case 'caffe':
        return tf.reverse(images.mul(255), -1).sub(tf.tensor1d([...CAFFE_MEAN_BGR]));
      case 'imagenet':
        return images.sub(tf.tensor1d([...IMAGENET_MEAN_RGB])).div(tf.tensor1d([...IMAGENET_STD_RGB]));
    }
  });
}

/**
 * How peaked smoothing leaves a map: the softmax runs at temperature T = max(a) / SHARPNESS.
 * Measured on ResNet-50 at 128 px (portrait and swirls, the five style layers), T = 1 leaves
 * 1e-6…1e-2 of the values any weight (1 / Σp² over the map's size): the map turns one-hot and
 * its cost moves with a handful of pixels. At max / 4 that share is 0.46–0.70 at every layer.
 */
export const SMOOTHING_SHARPNESS = 4;

/**
 * Activation smoothing (after Wang, Li & Vasconcelos, CVPR 2021, "SWAG"): a softmax over every
 * position and channel of one image's activation map. Residual networks give peaky, low-entropy
 * activations whose Gram matrices are dominated by a few units; the softmax spreads them out,
 * which is what lets a ResNet transfer style as well as VGG does. Each image's map sums to 1,
 * so the values are tiny (1 / (H·W·C) on average) and depend on the map's size: style and
 * generated images compared through it should be the same size, and cost weights are
 * correspondingly large. The temperature scales with the map's largest value, so the result
 * does not depend on the network's activation scale (see SMOOTHING_SHARPNESS).
 */
export function softmaxSmoothing(activations: tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    const [n, h, w, c] = activations.shape;
    const flat = activations.reshape([n, h * w * c]);
    const temperature = tf.maximum(flat.max(1, true).div(SMOOTHING_SHARPNESS), 1e-3);
    return tf.softmax(flat.div(temperature)).reshape([n, h, w, c]);
  });
}

export class CustomModelError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CustomModelError';
  }
}

// ---------------------------------------------------------------------------------------------
// The layer graph and its geometry

interface Inbound {
  layer: Layer;
  tensorIndex: number;
}

export interface DescribedLayer extends LayerInfo {
  /** Keras class name, e.g. 'Conv2D'. */
  className: string;
  /** Whether a user may pick it (a 4-D feature map that is a conv, activation, merge or pool output). */
  pickable: boolean;
  /** Whether its output has passed a nonlinearity (what heuristics prefer to compare). */
  nonlinear: boolean;
}

const CONV = new Set(['Conv2D', 'SeparableConv2D', 'DepthwiseConv2D']);
const ACTIVATION = new Set(['Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'ThresholdedReLU', 'Softmax']);
const POOL = new Set(['MaxPooling2D', 'AveragePooling2D']);
const MERGE = new Set(['Concatenate', 'Multiply', 'Average', 'Maximum', 'Minimum', 'Subtract']);

function kindOf(className: string): string {
  if (CONV.has(className)) return 'conv';
  if (ACTIVATION.has(className)) return 'activation';
  if (POOL.has(className)) return 'pool';
  if (className === 'Add') return 'add';
  if (MERGE.has(className)) return 'merge';
  if (className === 'BatchNormalization') return 'norm';
  return className.toLowerCase();
}

function first(v: unknown, fallback: number): number {
  const x = Array.isArray(v) ? v[0] : v;
  return typeof x === 'number' ? x : fallback;
}

function isInputLayer(layer: Layer): boolean {
  return layer.getClassName() === 'InputLayer';
}

const ACTIVATIONS: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: tf.relu,
  relu6: tf.relu6,
  elu: tf.elu,
  selu: tf.selu,
  sigmoid: tf.sigmoid,
  tanh: tf.tanh,
  softplus: tf.softplus,
  swish: (x) => x.mul(tf.sigmoid(x)),
};

interface ConvPlan {
  depthwise: boolean;
  strides: [number, number];
  dilations: [number, number];
  padding: 'same' | 'valid';
  useBias: boolean;
  activation: (x: tf.Tensor) => tf.Tensor;
}

const convPlans = new WeakMap<Layer, ConvPlan | null>();

function pair(v: unknown): [number, number] {
  const a = first(v, 1);
  return [a, Array.isArray(v) ? first(v[1], a) : a];
}

/** How to run a conv layer as plain ops, or null to leave it to the layer (exotic settings). */
function convPlan(layer: Layer): ConvPlan | null {
  let plan = convPlans.get(layer);
  if (plan !== undefined) return plan;
  plan = null;
  const className = layer.getClassName();
  if (className === 'Conv2D' || className === 'DepthwiseConv2D') {
    const c = layer.getConfig();
    const activation = ACTIVATIONS[String(c['activation'] ?? 'linear')];
    const padding = c['padding'];
    if (activation && c['dataFormat'] !== 'channelsFirst' && (padding === 'same' || padding === 'valid')) {
      plan = {
        depthwise: className === 'DepthwiseConv2D',
        strides: pair(c['strides']),
        dilations: pair(c['dilationRate']),
        padding,
        useBias: c['useBias'] !== false,
        activation,
      };
    }
  }
  convPlans.set(layer, plan);
  return plan;
}

/**
 * Runs one layer in inference mode. Convolutions are run as plain conv2d + bias + activation
 * rather than through the layer: tfjs-layers uses the fused conv2d, whose gradient always
 * computes the filter's gradient too, which doubles the cost of every step of style transfer
 * or feature visualisation, where only the image's gradient is wanted.
 */
function applyLayer(layer: Layer, ins: tf.Tensor[]): tf.Tensor | tf.Tensor[] {
  const plan = ins.length === 1 ? convPlan(layer) : null;
  if (plan) {
    const [kernel, bias] = layer.getWeights() as [tf.Tensor4D, tf.Tensor1D | undefined];
    const x = ins[0] as tf.Tensor4D;
    const { strides, padding, dilations } = plan;
    let y: tf.Tensor = plan.depthwise
      ? tf.depthwiseConv2d(x, kernel, strides, padding, 'NHWC', dilations)
      : tf.conv2d(x, kernel, strides, padding, 'NHWC', dilations);
    if (plan.useBias && bias) y = y.add(bias);
    return plan.activation(y);
  }
  return layer.apply(ins.length === 1 ? ins[0]! : ins, { training: false }) as tf.Tensor | tf.Tensor[];
}

/**
 * The model's layer graph as each layer's inbound layers, in an order where inputs come first.
 * Only the first inbound node is read: a loaded model uses each layer once.
 */
export class LayerGraph {
  readonly order: readonly Layer[];
  readonly byName: ReadonlyMap<string, Layer>;
  private readonly inbound = new Map<Layer, Inbound[]>();

  constructor(readonly model: tf.LayersModel) {
    const byName = new Map<string, Layer>();
    const order: Layer[] = [];
    const seen = new Set<Layer>();
    const visit = (layer: Layer) => {
      if (seen.has(layer)) return;
      seen.add(layer);
      const node = layer.inboundNodes[0];
      const ins: Inbound[] = (node?.inboundLayers ?? []).map((l, i) => ({
        layer: l,
        tensorIndex: node?.tensorIndices[i] ?? 0,
      }));
      this.inbound.set(layer, ins);
      for (const i of ins) visit(i.layer);
      order.push(layer);
      byName.set(layer.name, layer);
    };
    for (const layer of model.layers) visit(layer);
    this.order = order;
    this.byName = byName;
  }

  inputsOf(layer: Layer): readonly Inbound[] {
    return this.inbound.get(layer) ?? [];
  }

  /** Layers that take `layer`'s output. */
  consumersOf(layer: Layer): Layer[] {
    return this.order.filter((l) => this.inputsOf(l).some((i) => i.layer === layer));
  }

  /**
   * Runs only the layers the named outputs depend on, in inference mode, freeing each
   * intermediate once its last consumer has run. Differentiable: gradients flow through.
   */
  run(input: tf.Tensor4D, names: readonly string[]): tf.Tensor[] {
    const targets = names.map((name) => {
      const layer = this.byName.get(name);
      if (!layer) throw new Error(`The model has no layer called "${name}".`);
      return layer;
    });
    const needed = new Set<Layer>();
    const mark = (l: Layer) => {
      if (needed.has(l)) return;
      needed.add(l);
      for (const i of this.inputsOf(l)) mark(i.layer);
    };
    targets.forEach(mark);
    const pending = new Map<Layer, number>();
    for (const l of needed) for (const i of this.inputsOf(l)) pending.set(i.layer, (pending.get(i.layer) ?? 0) + 1);
    const keep = new Set(targets);

    return tf.tidy(() => {
      const values = new Map<Layer, tf.Tensor[]>();
      for (const layer of this.order) {
        if (!needed.has(layer)) continue;
        if (isInputLayer(layer)) {
          values.set(layer, [input]);
          continue;
        }
        const ins = this.inputsOf(layer).map((i) => {
          const v = values.get(i.layer)?.[i.tensorIndex];
          if (!v) throw new Error(`Layer "${layer.name}" has an input that was not computed.`);
          return v;
        });
        const out = applyLayer(layer, ins);
        values.set(layer, Array.isArray(out) ? out : [out]);
        for (const i of this.inputsOf(layer)) {
          const left = (pending.get(i.layer) ?? 0) - 1;
          pending.set(i.layer, left);
          if (left === 0 && !keep.has(i.layer) && !isInputLayer(i.layer)) tf.dispose(values.get(i.layer));
        }
      }
      return targets.map((l) => values.get(l)![0]!);
    });
  }

  /**
   * Every layer with its kind, output channels and geometry (`geometryChains`: where paths
   * merge, the one with the larger receptive field, since that bounds what the merged unit sees).
   */
  describe(): DescribedLayer[] {
    const chains = geometryChains(this.model);
    const out: DescribedLayer[] = [];
    for (const layer of this.order) {
      const className = layer.getClassName();
      const config = layer.getConfig();
      const chain = chains.get(layer.name);
      // Past a layer without a grid (global pooling, flatten) nothing is a feature map anyway.
      const path = Array.isArray(chain) ? chain : [];
      if (isInputLayer(layer)) continue;
      let shape: (number | null)[] = [];
      try {
        const s = layer.outputShape;
        shape = (Array.isArray(s[0]) ? s[0] : s) as (number | null)[];
      } catch {
        // A layer with several differently shaped outputs is not a feature map we can compare.
      }
      const kind = kindOf(className);
      const activation = config['activation'];
      const nonlinear =
        kind === 'activation' || (kind === 'conv' && typeof activation === 'string' && activation !== 'linear');
      const pickable = shape.length === 4 && ['conv', 'activation', 'pool', 'add', 'merge'].includes(kind);
      out.push({ name: layer.name, kind, channels: shape.at(-1) ?? 0, path, className, pickable, nonlinear });
    }
    return out;
  }
}

/** Default layers for a model nobody has tuned: compare maps after a nonlinearity where there are any. */
export function defaultLayersOf(layers: readonly DescribedLayer[]): { content: string; style: string[] } {
  const pickable = layers.filter((l) => l.pickable);
  const nonlinear = pickable.filter((l) => l.nonlinear);
  const convs = pickable.filter((l) => l.kind === 'conv');
  return defaultLayers(nonlinear.length > 0 ? nonlinear : convs.length > 0 ? convs : pickable);
}

// ---------------------------------------------------------------------------------------------
// A ConvNetwork over a layers model

export interface LayersModelNetworkSpec {
  id: LossNetworkId;
  label: string;
  model: tf.LayersModel;
  /** The layers offered, each with the Keras layer it reads (`source`). */
  layers: readonly (LayerInfo & { source: string })[];
  defaults: { content: string; style: string[] };
  preprocessing: InputPreprocessing;
  /** Softmax-smooth each activation map (see `softmaxSmoothing`). */
  smoothing: boolean;
  /** Whether `dispose()` disposes the model. */
  ownsModel: boolean;
}

class LayersModelNetwork implements ConvNetwork {
  readonly id: LossNetworkId;
  readonly label: string;
  readonly layers: readonly LayerInfo[];
  readonly defaults: { content: string; style: string[] };
  readonly depthwise: boolean;
  private readonly graph: LayerGraph;
  private readonly sources: Map<string, string>;
  private disposed = false;

  constructor(private readonly spec: LayersModelNetworkSpec) {
    this.id = spec.id;
    this.label = spec.label;
    this.layers = spec.layers.map(({ name, kind, channels, path }) => ({ name, kind, channels, path }));
    this.defaults = spec.defaults;
    this.depthwise = spec.model.layers.some((l) => /^(Depthwise|Separable)Conv2D$/.test(l.getClassName()));
    this.graph = new LayerGraph(spec.model);
    this.sources = new Map(spec.layers.map((l) => [l.name, l.source]));
  }

  activations(images: tf.Tensor4D, layers: readonly string[]): tf.Tensor4D[] {
    if (this.disposed) throw new Error(`The ${this.label} loss network has been disposed.`);
    checkImages(images);
    const sources = layers.map((name) => {
      const source = this.sources.get(name);
      if (!source) {
        throw new Error(
          `"${name}" is not a layer of ${this.label}; pick one of ${[...this.sources.keys()].join(', ')}.`,
        );
      }
      return source;
    });
    return tf.tidy(() => {
      const x = preprocessImages(images, this.spec.preprocessing);
      const unique = [...new Set(sources)];
      const outs = this.graph.run(x, unique) as tf.Tensor4D[];
      const byName = new Map(unique.map((s, i) => [s, outs[i]!]));
      const used = new Set<tf.Tensor>();
      return sources.map((s) => {
        let t = byName.get(s)!;
        if (this.spec.smoothing) t = softmaxSmoothing(t);
        else if (used.has(t)) t = t.clone();
        used.add(t);
        return t;
      });
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.spec.ownsModel) this.spec.model.dispose();
  }
}

export function checkImages(images: tf.Tensor): void {
  if (images.rank !== 4 || images.shape[3] !== 3) {
    throw new Error(
      `A loss network takes RGB images [N, H, W, 3]; got a tensor of shape [${images.shape.join(', ')}].`,
    );
  }
}

export function layersModelNetwork(spec: LayersModelNetworkSpec): ConvNetwork {
  return new LayersModelNetwork(spec);
}

// ---------------------------------------------------------------------------------------------
// The user's own model

export interface CustomNetworkOptions {
  /** How the model expects its input; the user says, since a model file does not. */
  preprocessing?: InputPreprocessing;
  smoothing?: boolean;
  /** Shown in pickers; defaults to the model's name. */
  label?: string;
}

/** model.json and its weight shards as dropped by the user, or any tfjs IOHandler. */
export type CustomModelSource = readonly File[] | tf.io.IOHandler;

interface ModelJson {
  format?: string;
  modelTopology?: unknown;
  weightsManifest?: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function isGraphModel(json: { format?: string; modelTopology?: unknown }): boolean {
  const topo = json.modelTopology as Record<string, unknown> | undefined;
  return json.format === 'graph-model' || (!!topo && 'node' in topo);
}

const GRAPH_MODEL_MESSAGE =
  'This is a TensorFlow graph model (a frozen graph converted with tfjs-converter), whose layers cannot be read by name. ' +
  'Convert a Keras model with --output_format=tfjs_layers_model instead.';

const basename = (p: string) => p.slice(p.lastIndexOf('/') + 1);

async function artifactsFromFiles(files: readonly File[]): Promise<tf.io.ModelArtifacts> {
  const jsons = files.filter((f) => f.name.toLowerCase().endsWith('.json'));
  const jsonFile = jsons.length === 1 ? jsons[0] : jsons.find((f) => f.name === 'model.json');
  if (!jsonFile) {
    throw new CustomModelError(
      jsons.length === 0
        ? 'Drop the model.json file together with its .bin weight files.'
        : `Several .json files were dropped (${jsons.map((f) => f.name).join(', ')}); drop one model at a time.`,
    );
  }
  let json: ModelJson;
  try {
    json = JSON.parse(await jsonFile.text()) as ModelJson;
  } catch {
    throw new CustomModelError(`${jsonFile.name} is not valid JSON, so it is not a tfjs model.json.`);
  }
  if (isGraphModel(json)) throw new CustomModelError(GRAPH_MODEL_MESSAGE);
  if (!json.modelTopology || !json.weightsManifest) {
    throw new CustomModelError(
      `${jsonFile.name} is not a tfjs layers model (it has no modelTopology or weightsManifest).`,
    );
  }
  const byName = new Map(files.map((f) => [f.name, f]));
  const paths = json.weightsManifest.flatMap((g) => g.paths);
  const missing = paths.filter((p) => !byName.has(basename(p)));
  if (missing.length > 0) {
    throw new CustomModelError(
      `The model's weights are incomplete: ${missing.map(basename).join(', ')} ${missing.length === 1 ? 'is' : 'are'} missing. ` +
        'Drop model.json together with all its .bin files.',
    );
  }
  const shards = new Map<string, Uint8Array>();
  for (const p of paths) shards.set(p, new Uint8Array(await byName.get(basename(p))!.arrayBuffer()));
  return assembleArtifacts(
    { ...json, modelTopology: json.modelTopology, weightsManifest: json.weightsManifest },
    shards,
  );
}

async function artifactsFromHandler(handler: tf.io.IOHandler): Promise<tf.io.ModelArtifacts> {
  if (!handler.load) throw new CustomModelError('This model source cannot be read.');
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await handler.load();
  } catch (e) {
    throw new CustomModelError(`The model could not be read: ${errorMessage(e)}`);
  }
  if (isGraphModel(artifacts)) throw new CustomModelError(GRAPH_MODEL_MESSAGE);
  if ((artifacts.weightSpecs?.length ?? 0) > 0 && !artifacts.weightData) {
    throw new CustomModelError("The model's weight files are missing: provide the .bin files with model.json.");
  }
  return artifacts;
}

/** Builds a loss network from a loaded layers model (which it then owns when `ownsModel`). */
export function customNetworkFromModel(
  model: tf.LayersModel,
  options: CustomNetworkOptions & { ownsModel?: boolean } = {},
): ConvNetwork {
  const input = model.inputs[0];
  if (model.inputs.length !== 1 || !input || input.shape.length !== 4 || input.shape[3] !== 3) {
    const shapes = model.inputs.map((i) => `[${i.shape.map((d) => d ?? '?').join(', ')}]`).join(', ');
    throw new CustomModelError(
      `This model takes ${shapes}, not one RGB image [N, H, W, 3], so it cannot look at images.`,
    );
  }
  const described = new LayerGraph(model).describe();
  if (!described.some((l) => l.kind === 'conv')) {
    throw new CustomModelError('This model has no convolution layers, so it has no feature maps to compare.');
  }
  const layers = described.filter((l) => l.pickable);
  return layersModelNetwork({
    id: 'custom',
    label: options.label ?? model.name,
    model,
    layers: layers.map(({ name, kind, channels, path }) => ({ name, kind, channels, path, source: name })),
    defaults: defaultLayersOf(described),
    preprocessing: options.preprocessing ?? 'unit',
    smoothing: options.smoothing ?? false,
    ownsModel: options.ownsModel ?? false,
  });
}

/**
 * Loads the user's layers model and builds a loss network from it. Refuses, with a sentence
 * saying why, a graph model, missing weight files, a model that does not take RGB images
 * and one without convolutions.
 */
export async function loadCustomNetwork(
  source: CustomModelSource,
  options: CustomNetworkOptions = {},
): Promise<ConvNetwork> {
  const artifacts = Array.isArray(source)
    ? await artifactsFromFiles(source as readonly File[])
    : await artifactsFromHandler(source as tf.io.IOHandler);
  let model: tf.LayersModel;
  try {
    model = await tf.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (e) {
    throw new CustomModelError(`The model could not be loaded as a tfjs layers model: ${errorMessage(e)}`);
  }
  try {
    return customNetworkFromModel(model, { ...options, ownsModel: true });
  } catch (e) {
    model.dispose();
    throw e;
  }
}
