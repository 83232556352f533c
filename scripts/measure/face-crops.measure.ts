// Which crop does each embedder want? Runs on a labelled folder of real photos (default
// ../shared/datasets/faces-celeb): BlazeFace → FaceMesh once per photo, then every crop
// variant through the embedders, and prints EER, TAR at FAR 1e-3 and rank-1 per variant.
//   npm run measure:crops            (FACES_DIR=<folder> to use another set; about 3 min on wasm)
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'vitest';
import { loadTestImage, loadTestModel } from '../../src/test/fixtures';
import { alignFaces, estimateSimilarity, templateFor, type Similarity } from '../../src/ml/face/align';
import { FaceDetector } from '../../src/ml/face/detector';
import { FaceDescriptorNet } from '../../src/ml/face/descriptor-net';
import { evaluateEmbeddings, type LabelledEmbedding } from '../../src/ml/face/evaluate';
import { LandmarkModel } from '../../src/ml/face/landmarks';
import { blazefacePoints } from '../../src/ml/face/pipeline';
import { rollFromEyes } from '../../src/ml/face/face-geometry';
import { l2Normalize } from '../../src/ml/face/similarity';
import { loadDescriptorWeights } from '../../src/test/fixtures';

const DIR = process.env.FACES_DIR ?? '../shared/datasets/faces-celeb';

interface Variant {
  name: string;
  size: number;
  embed: 'descriptor' | 'faceres';
  /** Image → crop transform for one face. */
  fit(face: FaceInfo): Similarity;
  /** Average-pool the frame first so the face is at most this many image px per crop px. */
  prefilter?: number;
}

interface FaceInfo {
  points5: [number, number][];
  mesh: Float32Array;
  roll: number;
  box: { x: number; y: number; width: number; height: number };
}

const BROWS = [70, 63, 105, 66, 107, 336, 296, 334, 293, 300];

/** A square crop of side `side` about (cx, cy), turned by `rollDeg`, as image → crop. */
function squareFit(cx: number, cy: number, side: number, rollDeg: number, size: number): Similarity {
  const k = size / side;
  const th = (-rollDeg * Math.PI) / 180;
  const a = Math.cos(th) * k;
  const b = Math.sin(th) * k;
  const c = (size - 1) / 2;
  return { a, b, tx: c - (a * cx - b * cy), ty: c - (b * cx + a * cy) };
}

/** face-api's convention: the landmarks' bounding box (brows to chin), padded, made square. */
function meshBox(f: FaceInfo, pad: number, upright: boolean, size: number): Similarity {
  const roll = upright ? f.roll : 0;
  const th = (-roll * Math.PI) / 180;
  const [cx0, cy0] = [f.box.x + f.box.width / 2, f.box.y + f.box.height / 2];
  const rot = (x: number, y: number) => [
    Math.cos(th) * (x - cx0) - Math.sin(th) * (y - cy0),
    Math.sin(th) * (x - cx0) + Math.cos(th) * (y - cy0),
  ];
  let [x0, x1, y1] = [Infinity, -Infinity, -Infinity];
  let y0 = Infinity;
  for (let i = 0; i < f.mesh.length / 3; i++) {
    const [x, y] = rot(f.mesh[3 * i]!, f.mesh[3 * i + 1]!) as [number, number];
    x0 = Math.min(x0, x);
    x1 = Math.max(x1, x);
    y1 = Math.max(y1, y);
  }
  for (const i of BROWS) y0 = Math.min(y0, rot(f.mesh[3 * i]!, f.mesh[3 * i + 1]!)[1]!);
  const w = (x1 - x0) * (1 + pad);
  const h = (y1 - y0) * (1 + pad);
  const side = Math.max(w, h);
  const [mx, my] = [(x0 + x1) / 2, (y0 + y1) / 2];
  // back to image coordinates
  const cx = Math.cos(-th) * mx - Math.sin(-th) * my + cx0;
  const cy = Math.sin(-th) * mx + Math.cos(-th) * my + cy0;
  return squareFit(cx, cy, side, roll, size);
}

function detectorBox(f: FaceInfo, scale: number, upright: boolean, size: number): Similarity {
  const side = scale * Math.max(f.box.width, f.box.height);
  return squareFit(f.box.x + f.box.width / 2, f.box.y + f.box.height / 2, side, upright ? f.roll : 0, size);
}

/** Five-point template measured as the mean position of the points in the best box crop. */
let measured: [number, number][] | null = null;

function measuredTemplate(size: number, zoom: number, shiftY: number): [number, number][] {
  const c = (size - 1) / 2;
  return measured!.map(([x, y]): [number, number] => [
    c + (x * size - 0.5 - c) * zoom,
    c + (y * size - 0.5 - c) * zoom + shiftY * size,
  ]);
}

/**
 * The grid measured (README "Face models"): ArcFace's template at several zooms and heights,
 * face-api's landmark box, the detector box, and the template measured from the best box crop.
 */
function variants(): Variant[] {
  const out: Variant[] = [];
  const descriptor = (name: string, fit: Variant['fit'], prefilter?: number): Variant => ({
    name: `descriptor ${name}`,
    size: 150,
    embed: 'descriptor',
    fit,
    prefilter,
  });
  for (const zoom of [0.6, 0.7, 0.8, 0.9, 1])
    for (const shiftY of [-0.03, 0, 0.06])
      out.push(
        descriptor(`arcface zoom ${zoom} shift ${shiftY}`, (f) =>
          estimateSimilarity(f.points5, templateFor(150, { zoom, shiftY })),
        ),
      );
  for (const upright of [false, true]) {
    out.push(descriptor(`mesh box pad 0.2${upright ? ' upright' : ''}`, (f) => meshBox(f, 0.2, upright, 150)));
    for (const scale of [1, 1.2, 1.45])
      out.push(
        descriptor(`detector box x${scale}${upright ? ' upright' : ''}`, (f) => detectorBox(f, scale, upright, 150)),
      );
  }
  for (const zoom of [1, 1.1, 1.2, 1.3])
    for (const shiftY of [0, 0.02, 0.04])
      out.push(
        descriptor(`measured template zoom ${zoom} shift ${shiftY}`, (f) =>
          estimateSimilarity(f.points5, measuredTemplate(150, zoom, shiftY)),
        ),
      );
  out.push(
    descriptor(
      'measured template zoom 1.2 shift 0.02, prefilter 2',
      (f) => estimateSimilarity(f.points5, measuredTemplate(150, 1.2, 0.02)),
      2,
    ),
  );
  for (const zoom of [1, 0.8])
    out.push({
      name: `faceres arcface zoom ${zoom}`,
      size: 224,
      embed: 'faceres',
      fit: (f) => estimateSimilarity(f.points5, templateFor(224, { zoom })),
    });
  out.push({
    name: 'faceres measured template zoom 1.2',
    size: 224,
    embed: 'faceres',
    fit: (f) => estimateSimilarity(f.points5, measuredTemplate(224, 1.2, 0)),
  });
  return out;
}

/** Where the five points fall, as fractions of the crop, in the detector box ×1.2 crop. */
function measureTemplate(faces: FaceInfo[]): [number, number][] {
  const sum = Array.from({ length: 5 }, () => [0, 0] as [number, number]);
  for (const f of faces) {
    const t = detectorBox(f, 1.2, true, 1);
    f.points5.forEach(([x, y], i) => {
      sum[i]![0] += t.a * x - t.b * y + t.tx + 0.5;
      sum[i]![1] += t.b * x + t.a * y + t.ty + 0.5;
    });
  }
  return sum.map(([x, y]) => [x / faces.length, y / faces.length]);
}

function report(name: string, samples: LabelledEmbedding[]) {
  const e = evaluateEmbeddings(samples);
  return {
    variant: name,
    eer: +(e.eer * 100).toFixed(2),
    tar_1e3: +(e.tar_at_far_1e3 * 100).toFixed(1),
    rank1: +(e.rank1 * 100).toFixed(1),
    gen_mean: +e.genuine_scores_summary.mean.toFixed(3),
    gen_min: +e.genuine_scores_summary.min.toFixed(3),
    imp_max: +e.impostor_scores_summary.max.toFixed(3),
    t_1e3: +e.threshold_at_far_1e3.toFixed(3),
    pairs: `${e.genuine_pairs}/${e.impostor_pairs}`,
  };
}

it('crop variants on real photos', async () => {
  await tf.setBackend('wasm');
  const [blazeface, facemesh, faceres] = await Promise.all(['blazeface', 'facemesh', 'faceres'].map(loadTestModel));
  const detector = new FaceDetector(blazeface!);
  const mesh = new LandmarkModel(facemesh!);
  const weights = await loadDescriptorWeights();
  const descriptor = new FaceDescriptorNet(weights);
  tf.dispose(Object.values(weights));
  const all = variants();
  const found: { label: string; path: string; face: FaceInfo }[] = [];
  const samples = new Map<string, LabelledEmbedding[]>(all.map((v) => [v.name, []]));
  const people = readdirSync(DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  let images = 0;
  for (const label of people) {
    for (const file of readdirSync(join(DIR, label))
      .filter((f) => /\.(jpe?g|png)$/i.test(f))
      .sort()) {
      const path = join(DIR, label, file);
      // jpeg-js reads JPEG only; faces-celeb has one WebP named .jpg (the app reads it).
      if (readFileSync(path).subarray(0, 4).toString('latin1') === 'RIFF') {
        console.log(`skipped (WebP, not readable in Node): ${label}/${file}`);
        continue;
      }
      images++;
      const frame = await loadTestImage(path);
      const dets = await detector.detect(frame);
      const det = [...dets].sort((a, b) => b.box.height - a.box.height)[0];
      if (!det) {
        console.log(`no face: ${label}/${file}`);
        frame.dispose();
        continue;
      }
      const [l, r] = blazefacePoints(det);
      const roll = rollFromEyes(l!, r!);
      const [lm] = await mesh.estimate(frame, [{ ...det.box, roll }]);
      const face: FaceInfo = {
        points5: lm!.fivePoints as [number, number][],
        mesh: lm!.points,
        roll: lm!.pose.roll,
        box: det.box,
      };
      frame.dispose();
      found.push({ label, path, face });
    }
  }
  measured = measureTemplate(found.map((f) => f.face));
  console.log(
    'measured template (fractions of the crop):',
    JSON.stringify(measured.map(([x, y]) => [+x.toFixed(4), +y.toFixed(4)])),
  );
  for (const { label, path, face } of found) {
    {
      const frame = await loadTestImage(path);
      for (const v of all) {
        const fit = v.fit(face);
        const pxPerCropPx = 1 / Math.hypot(fit.a, fit.b);
        const factor = v.prefilter ? Math.floor(pxPerCropPx / v.prefilter) : 1;
        const crop =
          factor > 1
            ? tf.tidy(() => {
                const small = tf.avgPool(frame, factor, factor, 'valid') as tf.Tensor3D;
                // Pixel-index coordinates: pixel i of the pooled image is the mean of pixels
                // i·f … i·f + f − 1, centred at i·f + (f − 1)/2.
                const k = factor;
                const g = {
                  a: fit.a * k,
                  b: fit.b * k,
                  tx: fit.tx + (fit.a * (k - 1)) / 2 - (fit.b * (k - 1)) / 2,
                  ty: fit.ty + (fit.b * (k - 1)) / 2 + (fit.a * (k - 1)) / 2,
                };
                return alignFaces(small, [g], v.size);
              })
            : alignFaces(frame, [fit], v.size);
        const out = tf.tidy(() =>
          v.embed === 'descriptor'
            ? descriptor.forward(crop.mul(255))
            : (faceres!.execute(crop.mul(255), 'global_pooling/Mean') as tf.Tensor).reshape([1, -1]),
        );
        const data = (await out.data()) as Float32Array;
        tf.dispose([crop, out]);
        samples.get(v.name)!.push({ label, embedding: l2Normalize(data) });
      }
      frame.dispose();
    }
  }
  console.log(`${DIR}: ${images} images, ${people.length} people, backend ${tf.getBackend()}`);
  console.table(all.map((v) => report(v.name, samples.get(v.name)!)));
});
