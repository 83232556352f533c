// A loss network over a tfjs graph model (a frozen TensorFlow graph), so the Explorer can look
// inside the face models the app ships: BlazeFace, FaceMesh, MobileFaceNet and FaceRes.
//
// A graph model has no layers, only nodes (ops). A "layer" here is one unit of the network: a
// convolution, depthwise convolution, pooling or residual sum, read where its result has been
// through the element-wise ops that follow it (bias, batch norm, ReLU / ReLU6 / PReLU), since
// that is the feature map the next unit sees. Geometry comes from the ops' attributes and the
// filters' shapes at the model's fixed input size, so nothing runs to describe the network.
//
// The node list comes from `model.executor.graph`, which tfjs (4.22) keeps private: it is read
// through a structural cast and checked, so a tfjs that changes it fails here, loudly.
import * as tf from '@tensorflow/tfjs';
import { checkImages } from '../style/custom-network';
import type { LayerGeometry, LayerInfo, ConvNetwork, NetworkId } from '../nets/network';
import { defaultLayers, receptiveField, samePadding } from '../nets/geometry';

/** How the model expects its RGB input; `activations()` takes images in 0..1. */
export type GraphInputRange = 'unit' | 'byte' | 'symmetric';

export interface GraphNetworkSpec {
  id: NetworkId;
  label: string;
  /** Side of the model's square input; images of another size are resized to it. */
  inputSize: number;
  inputRange: GraphInputRange;
  /** 'representative' (default): a few layers per resolution; 'all': every unit found. */
  layers?: 'representative' | 'all';
  /** About how many layers the representative choice offers (default 12). */
  maxLayers?: number;
  /** Whether `dispose()` disposes the model (default false). */
  ownsModel?: boolean;
}

export interface GraphLayerInfo extends LayerInfo {
  /** The graph node whose output is read. */
  node: string;
  /** The TensorFlow op that defines the unit, e.g. 'Conv2D', '_FusedConv2D', 'MaxPool', 'AddV2'. */
  op: string;
  /** Side of the layer's feature map at the model's input size. */
  size: number;
  /** Whether tfjs has gradients for every op from the input to this layer. */
  differentiable: boolean;
  /**
   * An output head that branches off the trunk and feeds no further layer (a detector's score
   * or box regressor), as opposed to the trunk's own last layer.
   */
  head: boolean;
}

export interface GraphNetwork extends ConvNetwork {
  readonly layers: readonly GraphLayerInfo[];
  /** Every unit found, shallow to deep; `activations()` accepts any of them. */
  readonly availableLayers: readonly GraphLayerInfo[];
  /** Receptive fields are in pixels of an image of this side (what `activations()` resizes to). */
  readonly inputSize: number;
  readonly inputRange: GraphInputRange;
  /** True when every offered layer can be differentiated (feature visualisation works). */
  readonly differentiable: boolean;
}

/** The shipped face models: input side and range as measured for each (see src/ml/face). */
export const FACE_GRAPH_NETWORKS = {
  blazeface: { id: 'blazeface', label: 'BlazeFace (face detector)', inputSize: 256, inputRange: 'symmetric' },
  facemesh: { id: 'facemesh', label: 'FaceMesh (face landmarks)', inputSize: 192, inputRange: 'unit' },
  faceres: { id: 'faceres', label: 'FaceRes (face embedding)', inputSize: 224, inputRange: 'byte' },
} as const satisfies Record<string, GraphNetworkSpec>;

export type FaceGraphNetworkId = keyof typeof FACE_GRAPH_NETWORKS;

// ---------------------------------------------------------------------------------------------
// The graph

interface GraphNode {
  name: string;
  op: string;
  inputs: GraphNode[];
  children: GraphNode[];
  attrParams: Record<string, { value?: unknown } | undefined>;
}

interface ExecutorGraph {
  nodes: Record<string, GraphNode>;
  placeholders: GraphNode[];
}

function executorGraph(model: tf.GraphModel): ExecutorGraph {
  const graph = (model as unknown as { executor?: { graph?: Partial<ExecutorGraph> } }).executor?.graph;
  if (!graph?.nodes || !Array.isArray(graph.placeholders)) {
    throw new Error('This tfjs version does not expose the graph model’s nodes (model.executor.graph).');
  }
  return graph as ExecutorGraph;
}

const CONV_OPS = new Set(['Conv2D', '_FusedConv2D', 'DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative']);
const DEPTHWISE_OPS = new Set(['DepthwiseConv2dNative', 'FusedDepthwiseConv2dNative']);
const POOL_OPS = new Set(['MaxPool', 'AvgPool']);
const SUM_OPS = new Set(['Add', 'AddV2']);
/** Ops that act on each position alone, so keep the grid (binary ones broadcast). */
const ELEMENTWISE_OPS = new Set([
  'Add',
  'AddV2',
  'Sub',
  'Mul',
  'RealDiv',
  'Div',
  'Minimum',
  'Maximum',
  'BiasAdd',
  'FusedBatchNorm',
  'FusedBatchNormV3',
  'Relu',
  'Relu6',
  'Elu',
  'Selu',
  'LeakyRelu',
  'Prelu',
  'Sigmoid',
  'Tanh',
  'Softplus',
  'Abs',
  'Neg',
  'Square',
  'Sqrt',
  'Exp',
  'Identity',
]);
/** Ops whose tfjs gradient exists (on the inputs that matter for a gradient on the image). */
const DIFFERENTIABLE_OPS = new Set([...CONV_OPS, ...POOL_OPS, ...ELEMENTWISE_OPS, 'Pad', 'Placeholder', 'Const']);

/** Ops which would be layers in Keras; their names in the graph end in one of these. */
const OP_SEGMENT =
  /^(BiasAdd|Relu6?|depthwise(_kernel|_weights|_bn_offset)?|Conv2D(_weights|_bn_offset)?|convolution|merged_input|kernel|weights|ReadVariableOp|MaxPool|AvgPool|[Aa]dd(V2)?(_\d+)?|mul(_\d+)?|FusedBatchNorm(V3)?|BatchNorm|batchnorm(_\d+)?|clip_by_value)$/;

function attrNumbers(node: GraphNode, key: string): number[] | null {
  const v = node.attrParams[key]?.value;
  return Array.isArray(v) && v.every((x) => typeof x === 'number') ? (v as number[]) : null;
}

function attrString(node: GraphNode, key: string): string | null {
  const v = node.attrParams[key]?.value;
  return typeof v === 'string' ? v.toLowerCase() : null;
}

interface Spatial {
  /** Geometry chain from the input (grid-keeping steps left out). */
  path: LayerGeometry[];
  rf: number;
  extent: number;
  channels: number | null;
}

type NodeState = Spatial | { pad: GraphNode; inner: Spatial } | null;

interface Unit {
  kind: 'conv' | 'depthwise' | 'pool' | 'add';
  defining: GraphNode;
  output: GraphNode;
  rawName: string;
}

/** Nodes in an order where every node comes after its inputs. */
function topologicalOrder(graph: ExecutorGraph): GraphNode[] {
  const order: GraphNode[] = [];
  const seen = new Set<GraphNode>();
  for (const root of Object.values(graph.nodes)) {
    if (seen.has(root)) continue;
    // Iterative DFS: a deep network would overflow the stack with recursion.
    const stack: { node: GraphNode; next: number }[] = [{ node: root, next: 0 }];
    seen.add(root);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const input = top.node.inputs[top.next++];
      if (input) {
        if (!seen.has(input)) {
          seen.add(input);
          stack.push({ node: input, next: 0 });
        }
        continue;
      }
      stack.pop();
      order.push(top.node);
    }
  }
  return order;
}

/**
 * Every unit of the graph with its geometry, shallow to deep (topological order). `inputSize`
 * is the side of the model's input, which TensorFlow's 'SAME' padding depends on.
 */
export function describeGraphModel(model: tf.GraphModel, inputSize: number): GraphLayerInfo[] {
  const graph = executorGraph(model);
  const order = topologicalOrder(graph);
  const index = new Map(order.map((n, i) => [n, i]));
  const weights = model.weights;
  const placeholders = new Set(graph.placeholders);

  const constant = new Map<GraphNode, boolean>();
  for (const n of order) {
    constant.set(
      n,
      !placeholders.has(n) &&
        n.op !== 'Placeholder' &&
        (n.op === 'Const' || (n.inputs.length > 0 && n.inputs.every((i) => constant.get(i)))),
    );
  }
  const isConst = (n: GraphNode) => constant.get(n) === true;
  const dataInputs = (n: GraphNode) => n.inputs.filter((i) => !isConst(i));
  const weightShape = (n: GraphNode | undefined) => (n ? (weights[n.name]?.[0]?.shape ?? null) : null);

  const differentiable = new Map<GraphNode, boolean>();
  for (const n of order) {
    // tfjs's conv gradients (plain and fused) assert a dilation of 1.
    const dilated = CONV_OPS.has(n.op) && (attrNumbers(n, 'dilations') ?? []).some((d) => d !== 1);
    const ok = DIFFERENTIABLE_OPS.has(n.op) && !dilated;
    differentiable.set(n, isConst(n) || (ok && dataInputs(n).every((i) => differentiable.get(i))));
  }

  // Geometry along the height axis (the face models are square throughout).
  const states = new Map<GraphNode, NodeState>();
  const resolve = (s: NodeState | undefined, siblings: readonly (NodeState | undefined)[]): Spatial | null => {
    if (!s) return null;
    if (!('pad' in s)) return s;
    // A Pad feeding an element-wise op: the other operand fixes its output's spatial size, so
    // a pad that leaves it unchanged pads only channels (BlazeFace's and FaceMesh's shortcuts).
    const others = siblings.filter((o): o is Spatial => !!o && !('pad' in o));
    return others.length > 0 && others.every((o) => o.extent === s.inner.extent) ? s.inner : null;
  };

  for (const n of order) {
    if (isConst(n)) continue;
    if (placeholders.has(n) || n.op === 'Placeholder') {
      states.set(n, { path: [], rf: 1, extent: inputSize, channels: attrNumbers(n, 'shape')?.[3] ?? 3 });
      continue;
    }
    const ins = dataInputs(n).map((i) => states.get(i));
    if (CONV_OPS.has(n.op) || POOL_OPS.has(n.op)) {
      const source = n.inputs[0];
      const from = resolve(source ? states.get(source) : undefined, []);
      let kernel: number | null;
      let channels: number | null;
      if (CONV_OPS.has(n.op)) {
        const filter = weightShape(n.inputs[1]);
        kernel = filter?.[0] ?? null;
        const dilation = attrNumbers(n, 'dilations')?.[1] ?? 1;
        if (kernel !== null) kernel = dilation * (kernel - 1) + 1;
        channels = filter
          ? DEPTHWISE_OPS.has(n.op)
            ? (filter[2] ?? 0) * (filter[3] ?? 0)
            : (filter[3] ?? null)
          : null;
      } else {
        kernel = attrNumbers(n, 'kernelSize')?.[1] ?? null;
        channels = from?.channels ?? null;
      }
      const stride = attrNumbers(n, 'strides')?.[1] ?? 1;
      const pad = attrString(n, 'pad');
      if (!from || kernel === null) {
        states.set(n, null);
        continue;
      }
      let padding: number;
      let extent: number;
      if (pad === 'same') {
        padding = samePadding(kernel, stride, from.extent);
        extent = Math.ceil(from.extent / stride);
      } else if (pad === 'valid') {
        padding = 0;
        extent = Math.ceil((from.extent - kernel + 1) / stride);
      } else if (pad === 'explicit') {
        const explicit = attrNumbers(n, 'explicitPaddings') ?? [];
        padding = explicit[2] ?? 0;
        extent = Math.floor((from.extent + padding + (explicit[3] ?? 0) - kernel) / stride) + 1;
      } else {
        states.set(n, null);
        continue;
      }
      const keepsGrid = kernel === 1 && stride === 1 && padding === 0;
      const path = keepsGrid ? from.path : [...from.path, { kernel, stride, padding }];
      states.set(n, { path, rf: receptiveField(path).size, extent, channels });
    } else if (n.op === 'Pad') {
      const inner = resolve(ins[0], []);
      states.set(n, inner ? { pad: n, inner } : null);
    } else if (ELEMENTWISE_OPS.has(n.op)) {
      const resolved = ins.map((s, i) => resolve(s, [...ins.slice(0, i), ...ins.slice(i + 1)]));
      if (resolved.length === 0 || resolved.some((s) => s === null)) {
        states.set(n, null);
        continue;
      }
      // Where branches meet, the branch whose units see most bounds what the sum sees.
      const known = resolved as Spatial[];
      const widest = known.reduce((a, b) => (b.rf > a.rf ? b : a));
      const channelCounts = known.map((s) => s.channels).filter((c): c is number => c !== null);
      states.set(n, {
        path: widest.path,
        rf: widest.rf,
        extent: Math.max(...known.map((s) => s.extent)),
        channels: channelCounts.length > 0 ? Math.max(...channelCounts) : null,
      });
    } else {
      // Reshape, Mean, MatMul, ...: the grid is gone or changed in a way not followed.
      states.set(n, null);
    }
  }

  // Units, each read after the element-wise ops that only it feeds.
  const absorbed = new Set<GraphNode>();
  const units: Unit[] = [];
  const settle = (start: GraphNode): GraphNode => {
    const region = new Set([start]);
    const queue = [start];
    while (queue.length > 0) {
      const n = queue.shift()!;
      for (const child of n.children) {
        if (region.has(child) || !ELEMENTWISE_OPS.has(child.op)) continue;
        if (child.inputs.every((i) => region.has(i) || isConst(i))) {
          region.add(child);
          queue.push(child);
        }
      }
    }
    const sinks = [...region].filter((n) => !n.children.some((c) => region.has(c)));
    if (sinks.length !== 1) return start;
    for (const n of region) if (n !== start) absorbed.add(n);
    return sinks[0]!;
  };
  for (const n of order) {
    if (isConst(n) || absorbed.has(n)) continue;
    let kind: Unit['kind'] | null = null;
    let rawName = n.name;
    if (CONV_OPS.has(n.op)) {
      kind = DEPTHWISE_OPS.has(n.op) ? 'depthwise' : 'conv';
      // The filter's name is the Keras layer's where the node was renamed after a fused batch norm.
      const filter = n.inputs[1];
      if (filter?.name.includes('/')) rawName = filter.name;
    } else if (POOL_OPS.has(n.op)) {
      kind = 'pool';
    } else if (SUM_OPS.has(n.op) && dataInputs(n).length >= 2) {
      kind = 'add';
    }
    if (kind) units.push({ kind, defining: n, output: settle(n), rawName });
  }

  const defining = new Set(units.map((u) => u.defining));
  const feedsUnit = new Map<GraphNode, boolean>();
  for (let i = order.length - 1; i >= 0; i--) {
    const n = order[i]!;
    feedsUnit.set(
      n,
      n.children.some((c) => defining.has(c) || feedsUnit.get(c) === true),
    );
  }
  const isHead = (u: Unit) => {
    const source = dataInputs(u.defining)[0];
    return !feedsUnit.get(u.output) && !!source && source.children.filter((c) => !isConst(c)).length > 1;
  };

  const names = readableNames(units.map((u) => u.rawName));
  const out: GraphLayerInfo[] = [];
  units.forEach((u, i) => {
    const s = states.get(u.output);
    if (!s || 'pad' in s || s.channels === null || s.extent < 1) return;
    out.push({
      name: names[i]!,
      kind: u.kind,
      channels: s.channels,
      path: s.path,
      node: u.output.name,
      op: u.defining.op,
      size: s.extent,
      differentiable: differentiable.get(u.output) === true,
      head: isHead(u),
    });
  });
  out.sort((a, b) => (index.get(graph.nodes[a.node]!) ?? 0) - (index.get(graph.nodes[b.node]!) ?? 0));
  return out;
}

/** Keras-like names: the scope shared by all units dropped, trailing op names dropped, made unique. */
function readableNames(raw: readonly string[]): string[] {
  const split = raw.map((r) => r.split('/'));
  let common = 0;
  const first = split[0] ?? [];
  while (common < first.length - 1 && split.every((s) => s.length > common + 1 && s[common] === first[common])) {
    common++;
  }
  const seen = new Map<string, number>();
  return split.map((segments) => {
    const s = segments.slice(common);
    while (s.length > 1 && OP_SEGMENT.test(s[s.length - 1]!)) s.pop();
    const base = s.join('/');
    const count = (seen.get(base) ?? 0) + 1;
    seen.set(base, count);
    return count === 1 ? base : `${base}#${count}`;
  });
}

/**
 * A picker-sized choice: layers grouped by feature-map size (one group per resolution), a share
 * of about `max` slots per group in proportion to its depth, spaced evenly and always ending at
 * the group's deepest. Residual sums are preferred where a resolution has them (they are the
 * blocks' outputs), then full convolutions, over depthwise convolutions and pools; output heads
 * only where a resolution has nothing else.
 */
export function representativeLayers(all: readonly GraphLayerInfo[], max = 12): GraphLayerInfo[] {
  const groups = new Map<number, GraphLayerInfo[]>();
  for (const l of all) groups.set(l.size, [...(groups.get(l.size) ?? []), l]);
  const candidates = [...groups.values()].map((group) => {
    const trunk = group.filter((l) => !l.head);
    const g = trunk.length > 0 ? trunk : group;
    const adds = g.filter((l) => l.kind === 'add');
    if (adds.length > 0) return adds;
    const convs = g.filter((l) => l.kind === 'conv');
    return convs.length > 0 ? convs : g;
  });
  const total = candidates.reduce((n, g) => n + g.length, 0);
  const picked = new Set<GraphLayerInfo>();
  for (const g of candidates) {
    const k = Math.min(g.length, Math.max(1, Math.round((max * g.length) / total)));
    for (let i = 0; i < k; i++) picked.add(g[Math.ceil(((i + 1) * g.length) / k) - 1]!);
  }
  return all.filter((l) => picked.has(l));
}

// ---------------------------------------------------------------------------------------------
// The network

function scaleInput(images: tf.Tensor4D, range: GraphInputRange): tf.Tensor4D {
  if (range === 'byte') return images.mul(255);
  if (range === 'symmetric') return images.mul(2).sub(1);
  return images;
}

class GraphModelNetwork implements GraphNetwork {
  readonly id: NetworkId;
  readonly label: string;
  readonly layers: readonly GraphLayerInfo[];
  readonly availableLayers: readonly GraphLayerInfo[];
  readonly defaults: { content: string; style: string[] };
  readonly inputSize: number;
  readonly inputRange: GraphInputRange;
  readonly differentiable: boolean;
  readonly depthwise: boolean;
  private readonly byName: ReadonlyMap<string, GraphLayerInfo>;
  /** The batch size the graph insists on (BlazeFace's is 1), or null if free. */
  private readonly fixedBatch: number | null;
  private disposed = false;

  constructor(
    private readonly model: tf.GraphModel,
    private readonly spec: GraphNetworkSpec,
  ) {
    const input = model.inputs[0];
    const shape = input?.shape ?? [];
    if (model.inputs.length !== 1 || shape.length !== 4 || (shape[3] !== 3 && shape[3] !== -1)) {
      throw new Error(`${spec.label} does not take one RGB image [N, H, W, 3], so it cannot be explored.`);
    }
    for (const side of [shape[1], shape[2]]) {
      if (typeof side === 'number' && side > 0 && side !== spec.inputSize) {
        throw new Error(`${spec.label} takes ${side}×${side} images, not ${spec.inputSize}×${spec.inputSize}.`);
      }
    }
    this.fixedBatch = typeof shape[0] === 'number' && shape[0] > 0 ? shape[0] : null;
    this.id = spec.id;
    this.label = spec.label;
    this.inputSize = spec.inputSize;
    this.inputRange = spec.inputRange;
    this.availableLayers = describeGraphModel(model, spec.inputSize);
    if (this.availableLayers.length === 0) throw new Error(`${spec.label} has no convolutions that can be explored.`);
    this.depthwise = this.availableLayers.some((l) => l.kind === 'depthwise');
    this.layers =
      spec.layers === 'all' ? this.availableLayers : representativeLayers(this.availableLayers, spec.maxLayers);
    this.defaults = defaultLayers(this.layers);
    this.differentiable = this.layers.every((l) => l.differentiable);
    this.byName = new Map(this.availableLayers.map((l) => [l.name, l]));
  }

  activations(images: tf.Tensor4D, layers: readonly string[]): tf.Tensor4D[] {
    if (this.disposed) throw new Error(`The ${this.label} network has been disposed.`);
    checkImages(images);
    const infos = layers.map((name) => {
      const info = this.byName.get(name);
      if (!info) throw new Error(`"${name}" is not a layer of ${this.label}.`);
      return info;
    });
    if (infos.length === 0) return [];
    const nodes = [...new Set(infos.map((l) => l.node))];
    const size = this.inputSize;
    return tf.tidy(() => {
      let x = images;
      if (x.shape[1] !== size || x.shape[2] !== size) x = tf.image.resizeBilinear(x, [size, size]);
      x = scaleInput(x, this.inputRange);
      const run = (input: tf.Tensor4D): tf.Tensor[] => {
        const out = this.model.execute(input, nodes);
        return Array.isArray(out) ? out : [out];
      };
      let outs: tf.Tensor[];
      const n = x.shape[0];
      if (this.fixedBatch === null || this.fixedBatch === n) {
        outs = run(x);
      } else if (this.fixedBatch === 1) {
        const perImage = tf.split(x, n, 0).map((image) => run(image as tf.Tensor4D));
        outs = nodes.map((_, j) =>
          tf.concat(
            perImage.map((o) => o[j]!),
            0,
          ),
        );
      } else {
        throw new Error(`${this.label} takes batches of exactly ${this.fixedBatch} images, not ${n}.`);
      }
      const byNode = new Map(nodes.map((node, j) => [node, outs[j]!]));
      const used = new Set<tf.Tensor>();
      return infos.map((info) => {
        let t = byNode.get(info.node)!;
        if (t.rank !== 4) throw new Error(`Layer ${info.name} of ${this.label} is not a feature map.`);
        if (used.has(t)) t = t.clone();
        used.add(t);
        return t as tf.Tensor4D;
      });
    });
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.spec.ownsModel) this.model.dispose();
  }
}

/** A loss network (for the Explorer) over a graph model; see the file's header for what a layer is. */
export function graphModelNetwork(model: tf.GraphModel, spec: GraphNetworkSpec): GraphNetwork {
  return new GraphModelNetwork(model, spec);
}
