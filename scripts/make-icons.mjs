#!/usr/bin/env node
/**
 * make-icons.mjs — draw Facet's PWA / favicon icons procedurally with pngjs.
 *
 * Why this exists: the web manifest, iOS and the browser tab need raster icons
 * at several sizes (plus a maskable variant). Drawing them from one vector-ish
 * description keeps every size crisp and identical in design, with no image
 * editor or binary source asset in the repo. The outputs are committed; rerun
 * this only when the design changes:
 *
 *   node scripts/make-icons.mjs
 *
 * Writes public/icons/: icon-192.png, icon-512.png, maskable-512.png,
 * apple-touch-icon-180.png, favicon-32.png.
 * public/icons/icon.svg is the same design written by hand as SVG; it uses the
 * same 512-unit coordinates as DESIGN below, so keep the two in sync.
 *
 * Design: a rounded square with an indigo -> violet diagonal gradient, a white
 * viewfinder (four rounded corner brackets) framing a faceted gem. Shapes are
 * described by signed distance functions in a 512 x 512 design space and each
 * pixel's coverage is taken from its distance to the edge, which gives clean
 * anti-aliasing at every size.
 */

import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { PNG } = require('pngjs');

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const OUT_DIR = path.join(ROOT, 'public/icons');

// ---------------------------------------------------------------------------
// Design, in 512 x 512 units (mirrored in public/icons/icon.svg)
// ---------------------------------------------------------------------------

const DESIGN = {
  size: 512,
  cornerRadius: 112, // background rounded square
  gradientFrom: [0x3b, 0x2f, 0xd6], // top-left, deep indigo
  gradientTo: [0x7c, 0x3a, 0xed], // bottom-right, violet
  // Viewfinder: four L-shaped brackets with rounded corners on a square frame.
  bracketInset: 128, // frame runs 128..384
  bracketArm: 76, // arm length, from frame corner along each side
  bracketRadius: 36, // centre-line radius of each bracket's corner
  bracketStroke: 26,
  // Gem: table (top edge) A-B, girdle L-R with two inner points P1/P2, tip T.
  gem: {
    A: [217, 190],
    B: [295, 190],
    L: [172, 235],
    R: [340, 235],
    P1: [222, 235],
    P2: [290, 235],
    T: [256, 340],
  },
  facetGap: 7, // width of the background-coloured seams between facets
};

/** Facets as [polygon (clockwise on screen), white opacity]; light from the top. */
function gemFacets(g) {
  return [
    [[g.L, g.A, g.P1], 0.78], // crown, left
    [[g.A, g.B, g.P2, g.P1], 1.0], // crown, table
    [[g.B, g.R, g.P2], 0.9], // crown, right
    [[g.L, g.P1, g.T], 0.62], // pavilion, left
    [[g.P1, g.P2, g.T], 0.84], // pavilion, middle
    [[g.P2, g.R, g.T], 0.7], // pavilion, right
  ];
}

// ---------------------------------------------------------------------------
// Signed distance functions (negative inside)
// ---------------------------------------------------------------------------

function sdRoundedSquare(x, y, size, r) {
  const h = size / 2;
  const qx = Math.abs(x - h) - (h - r);
  const qy = Math.abs(y - h) - (h - r);
  const ox = Math.max(qx, 0);
  const oy = Math.max(qy, 0);
  return Math.hypot(ox, oy) + Math.min(Math.max(qx, qy), 0) - r;
}

function distToSegment(x, y, ax, ay, bx, by) {
  const dx = bx - ax;
  const dy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * dx + (y - ay) * dy) / (dx * dx + dy * dy)));
  return Math.hypot(x - ax - t * dx, y - ay - t * dy);
}

/** Exact signed distance to a simple polygon (even-odd inside test). */
function sdPolygon(x, y, pts) {
  let d = Infinity;
  let inside = false;
  for (let i = 0, j = pts.length - 1; i < pts.length; j = i++) {
    const [ax, ay] = pts[j];
    const [bx, by] = pts[i];
    d = Math.min(d, distToSegment(x, y, ax, ay, bx, by));
    if (ay > y !== by > y && x < ((bx - ax) * (y - ay)) / (by - ay) + ax) inside = !inside;
  }
  return inside ? -d : d;
}

/**
 * Distance to the centre line of the viewfinder brackets. The four brackets
 * are mirror images, so fold the point into the top-left quadrant and measure
 * against one bracket: a vertical arm, a quarter arc, a horizontal arm.
 */
function distToBrackets(x, y, d) {
  const s = d.size;
  const fx = Math.min(x, s - x);
  const fy = Math.min(y, s - y);
  const c = d.bracketInset;
  const r = d.bracketRadius;
  const end = c + d.bracketArm;
  let dist = Math.min(
    distToSegment(fx, fy, c, c + r, c, end), // vertical arm
    distToSegment(fx, fy, c + r, c, end, c), // horizontal arm
  );
  const ax = fx - (c + r);
  const ay = fy - (c + r);
  if (ax <= 0 && ay <= 0) dist = Math.min(dist, Math.abs(Math.hypot(ax, ay) - r)); // corner arc
  return dist;
}

// ---------------------------------------------------------------------------
// Rasteriser
// ---------------------------------------------------------------------------

/**
 * Render the icon at `px` x `px`.
 * opts:
 *   fullBleed    background fills the whole square (maskable / apple-touch)
 *   motifScale   scale of the brackets + gem about the centre
 *   strokeScale  extra weight for the bracket strokes (small sizes)
 *   gapScale     scale of the facet seams (0 = none, for tiny sizes)
 */
function renderIcon(px, opts = {}) {
  const d = DESIGN;
  const { fullBleed = false, motifScale = 1, strokeScale = 1, gapScale = 1 } = opts;
  const unit = d.size / px; // design units per pixel
  const half = d.size / 2;
  const facets = gemFacets(d.gem);
  const halfStroke = (d.bracketStroke * strokeScale) / 2;
  const gap = (d.facetGap * gapScale) / 2;
  const [r0, g0, b0] = d.gradientFrom;
  const [r1, g1, b1] = d.gradientTo;
  const data = Buffer.alloc(px * px * 4);
  // Coverage from signed distance (design units): 1 px wide linear ramp.
  const cov = (sd, scale = 1) => Math.max(0, Math.min(1, 0.5 - sd / (unit * scale)));

  for (let j = 0; j < px; j++) {
    for (let i = 0; i < px; i++) {
      const x = (i + 0.5) * unit;
      const y = (j + 0.5) * unit;

      // Background: diagonal gradient, rounded-square alpha unless full bleed.
      const t = Math.max(0, Math.min(1, (x + y) / (2 * d.size)));
      let r = r0 + (r1 - r0) * t;
      let g = g0 + (g1 - g0) * t;
      let b = b0 + (b1 - b0) * t;
      const alpha = fullBleed ? 1 : cov(sdRoundedSquare(x, y, d.size, d.cornerRadius));

      // Motif coordinates (scaled about the centre). Distances measured in
      // motif space are scaled back to pixels via `motifScale`.
      const mx = half + (x - half) / motifScale;
      const my = half + (y - half) / motifScale;
      const over = (a, shade = 255) => {
        r += (shade - r) * a;
        g += (shade - g) * a;
        b += (shade - b) * a;
      };

      over(cov(distToBrackets(mx, my, d) - halfStroke, 1 / motifScale));
      for (const [poly, opacity] of facets) {
        const sd = sdPolygon(mx, my, poly) + gap;
        if (sd < unit / motifScale) over(cov(sd, 1 / motifScale) * opacity);
      }

      const o = (j * px + i) * 4;
      data[o] = Math.round(r);
      data[o + 1] = Math.round(g);
      data[o + 2] = Math.round(b);
      data[o + 3] = Math.round(alpha * 255);
    }
  }
  return data;
}

function writePng(file, px, data, opaque) {
  const png = new PNG({ width: px, height: px });
  data.copy(png.data);
  const buf = PNG.sync.write(png, { colorType: opaque ? 2 : 6, deflateLevel: 9 });
  fs.writeFileSync(file, buf);
  return buf.length;
}

const ICONS = [
  // "any" purpose: rounded square with transparent corners.
  { file: 'icon-512.png', px: 512 },
  { file: 'icon-192.png', px: 192 },
  // Maskable: full-bleed background, motif inside the central safe circle of
  // radius 0.4 * size. Unscaled, the outermost bracket point is ~179/512 = 0.35
  // from the centre; at 0.85 it is ~0.30, leaving room for any mask shape.
  { file: 'maskable-512.png', px: 512, fullBleed: true, motifScale: 0.85 },
  // iOS rounds the corners itself and fills transparency with black: full bleed.
  { file: 'apple-touch-icon-180.png', px: 180, fullBleed: true },
  // Tab favicon: heavier strokes, bigger motif, no seams (they'd blur to mush).
  { file: 'favicon-32.png', px: 32, motifScale: 1.12, strokeScale: 1.35, gapScale: 0.6 },
];

function main() {
  fs.mkdirSync(OUT_DIR, { recursive: true });
  for (const icon of ICONS) {
    const data = renderIcon(icon.px, icon);
    const bytes = writePng(path.join(OUT_DIR, icon.file), icon.px, data, icon.fullBleed);
    console.log(`make-icons: ${path.relative(ROOT, path.join(OUT_DIR, icon.file))} ${icon.px}x${icon.px} ${bytes} B`);
  }
}

main();
