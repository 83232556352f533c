#!/usr/bin/env node
// The side-by-side results in docs/style.md: the built-in portrait repainted in the style of the
// two generated paintings, by each loss network, with the Style Studio's own code (src/ml/style)
// on the tfjs cpu backend in Node. Small and few iterations because this machine has no GPU;
// `npm run stylize` runs the same code in the browser at any size.
//   node scripts/make-style-examples.mjs [--size 64] [--iters 30] [--out docs/style]
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import jpeg from 'jpeg-js';
import { PNG } from 'pngjs';
import { createServer } from 'vite';

const args = process.argv.slice(2);
const opt = (name, fallback) => (args.includes(name) ? args[args.indexOf(name) + 1] : fallback);
const size = Number(opt('--size', 64));
const iterations = Number(opt('--iters', 30));
const out = resolve(opt('--out', 'docs/style'));
const only = opt('--only', null);

await tf.setBackend('cpu');
const vite = await createServer({ server: { middlewareMode: true, hmr: false }, appType: 'custom', logLevel: 'error' });
try {
  const { runStyleTransfer } = await vite.ssrLoadModule('/src/ml/style/transfer.ts');
  const { loadLossNetwork } = await vite.ssrLoadModule('/src/ml/style/networks.ts');
  const { loadCustomNetwork } = await vite.ssrLoadModule('/src/ml/style/custom-network.ts');
  const { prepareModels } = await import('./prepare-assets.mjs');
  const modelsDir = resolve('.scratch/style-models');
  const manifest = await prepareModels(modelsDir);
  const fetcher = async (url) =>
    new Response(new Uint8Array(await readFile(join(modelsDir, url.split('/models/')[1]))));

  const image = async (file) => {
    const img = jpeg.decode(await readFile(file), { useTArray: true });
    return tf.tidy(() =>
      tf.browser.fromPixels({ data: img.data, width: img.width, height: img.height }).toFloat().div(255),
    );
  };
  const content = await image('public/samples/portrait.jpg');
  const paintings = {
    swirls: await image('public/samples/swirls.jpg'),
    mosaic: await image('public/samples/mosaic.jpg'),
  };
  const resnetFiles = async () => {
    const entry = manifest.models.find((m) => m.id === 'resnet50');
    const dir = join(modelsDir, 'resnet50');
    const files = await Promise.all(
      entry.files.map(async (f) => new File([await readFile(join(modelsDir, f.path))], f.path.split('/').pop())),
    );
    return { dir, files };
  };
  const networks = {
    'vgg19-random': () => loadLossNetwork('vgg19-random'),
    resnet50: () => loadLossNetwork('resnet50', { baseUrl: '/', manifest, fetcher }),
    // The third kind, "your own model": ResNet-50's files dropped in as a custom model, without
    // SWAG smoothing — which shows what the smoothing does.
    'custom-resnet50-unsmoothed': async () =>
      loadCustomNetwork((await resnetFiles()).files, {
        preprocessing: 'caffe',
        smoothing: false,
        label: 'ResNet-50, no smoothing',
      }),
  };
  await mkdir(out, { recursive: true });
  const report = [];
  for (const [id, load] of Object.entries(networks)) {
    if (only && id !== only) continue;
    const network = await load();
    for (const [name, style] of Object.entries(paintings)) {
      const t0 = Date.now();
      const result = await runStyleTransfer({
        content,
        styles: [{ image: style }],
        network,
        settings: { size, iterations, optimiser: 'lbfgs', init: 'content' },
        onIteration: (i) =>
          i.iteration % 10 === 0 &&
          console.error(`${id} × ${name}: ${i.iteration}/${iterations} J ${i.total.toExponential(3)}`),
      });
      const [h, w] = result.image.shape;
      const pixels = await tf.browser.toPixels(result.image);
      result.image.dispose();
      const png = new PNG({ width: w, height: h });
      png.data = Buffer.from(pixels);
      const file = `${id}--${name}.png`;
      await writeFile(join(out, file), PNG.sync.write(png));
      report.push({
        network: id,
        style: name,
        file,
        size: `${w}x${h}`,
        iterations: result.iterations,
        J: result.report,
        seconds: (Date.now() - t0) / 1000,
      });
      console.error(`wrote ${file} in ${(Date.now() - t0) / 1000} s`);
    }
    network.dispose();
  }
  await writeFile(
    join(out, only ? `results-${only}.json` : 'results.json'),
    JSON.stringify({ size, iterations, backend: 'cpu', report }, null, 2),
  );
} finally {
  await vite.close();
}
