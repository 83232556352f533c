// Passive replay cues on one webcam frame's face crop: what a screen or a print held to the
// camera leaves in the image. Each is a plain number, higher meaning "more like a recapture";
// none is a decision on its own. How well each separates live faces from simulated recaptures is
// measured by `node scripts/measure-liveness.mjs --replay-cues` (docs/liveness.md), which is why
// they are advisory: on this project's fixtures they do not separate enough to be required.
//
// - gridEnergy: a screen's pixel grid, and its beat with the camera's pixels (moiré), put sharp
//   peaks in the high frequencies of the face's spectrum; skin and hair spread their energy. The
//   score is log10 of the strongest high-frequency peak over the median there, on a Hann-windowed
//   square from the middle of the crop (a 2D DFT, done separably).
// - bezelScore: a phone or monitor held to the camera puts straight, full-length edges around
//   the face. Per side, the strongest row (or column) of edges in the outer quarter of the crop,
//   over the median row; the score is the weakest of the four sides (a bezel has all four).
// - colourStats: a screen's or print's narrower gamut and flat lighting: colourfulness (Hasler and
//   Süsstrunk's opponent-colour measure) and the share of clipped, specular pixels in the face.

/** An RGB image, row-major, 3 values a pixel in 0..1. */
export interface RgbImage {
  data: ArrayLike<number>;
  width: number;
  height: number;
}

function luma(img: RgbImage): Float64Array {
  const out = new Float64Array(img.width * img.height);
  for (let i = 0; i < out.length; i++) {
    out[i] = 0.299 * img.data[3 * i]! + 0.587 * img.data[3 * i + 1]! + 0.114 * img.data[3 * i + 2]!;
  }
  return out;
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)]!;
}

/** Power spectrum of an n×n real signal (row-major), by a separable DFT: rows, then columns. */
export function powerSpectrum(signal: Float64Array, n: number): Float64Array {
  const cos = new Float64Array(n * n);
  const sin = new Float64Array(n * n);
  for (let k = 0; k < n; k++)
    for (let j = 0; j < n; j++) {
      cos[k * n + j] = Math.cos((2 * Math.PI * k * j) / n);
      sin[k * n + j] = -Math.sin((2 * Math.PI * k * j) / n);
    }
  const re = new Float64Array(n * n);
  const im = new Float64Array(n * n);
  for (let y = 0; y < n; y++)
    for (let k = 0; k < n; k++) {
      let r = 0;
      let i = 0;
      for (let x = 0; x < n; x++) {
        const v = signal[y * n + x]!;
        r += v * cos[k * n + x]!;
        i += v * sin[k * n + x]!;
      }
      re[y * n + k] = r;
      im[y * n + k] = i;
    }
  const power = new Float64Array(n * n);
  for (let u = 0; u < n; u++)
    for (let k = 0; k < n; k++) {
      let r = 0;
      let i = 0;
      for (let y = 0; y < n; y++) {
        const a = re[y * n + k]!;
        const b = im[y * n + k]!;
        const c = cos[u * n + y]!;
        const s = sin[u * n + y]!;
        r += a * c - b * s;
        i += a * s + b * c;
      }
      power[u * n + k] = r * r + i * i;
    }
  return power;
}

/** Moiré / pixel-grid energy: log10(peak / median) of the high-frequency power in the crop's middle. */
export function gridEnergy(img: RgbImage, n = 64): number {
  const side = Math.min(n, img.width, img.height);
  const y0 = Math.floor((img.height - side) / 2);
  const x0 = Math.floor((img.width - side) / 2);
  const grey = luma(img);
  const patch = new Float64Array(side * side);
  let mean = 0;
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) mean += patch[y * side + x] = grey[(y0 + y) * img.width + x0 + x]!;
  mean /= side * side;
  for (let y = 0; y < side; y++)
    for (let x = 0; x < side; x++) {
      const w = Math.sin((Math.PI * (y + 0.5)) / side) ** 2 * Math.sin((Math.PI * (x + 0.5)) / side) ** 2;
      patch[y * side + x] = (patch[y * side + x]! - mean) * w;
    }
  const power = powerSpectrum(patch, side);
  const band: number[] = [];
  for (let u = 0; u < side; u++)
    for (let k = 0; k < side; k++) {
      const fu = Math.min(u, side - u);
      const fk = Math.min(k, side - k);
      const r = Math.hypot(fu, fk);
      if (r >= side / 6 && r <= side / 2) band.push(power[u * side + k]!);
    }
  const m = median(band);
  return m > 0 ? Math.log10(Math.max(...band) / m) : 0;
}

/** Bezel / frame: the weakest side's strongest straight edge in the outer quarter, over the median row. */
export function bezelScore(img: RgbImage): number {
  const { width: w, height: h } = img;
  const grey = luma(img);
  const rows: number[] = [];
  for (let y = 0; y + 1 < h; y++) {
    let s = 0;
    for (let x = Math.floor(w * 0.2); x < Math.ceil(w * 0.8); x++)
      s += Math.abs(grey[(y + 1) * w + x]! - grey[y * w + x]!);
    rows.push(s / (w * 0.6));
  }
  const cols: number[] = [];
  for (let x = 0; x + 1 < w; x++) {
    let s = 0;
    for (let y = Math.floor(h * 0.2); y < Math.ceil(h * 0.8); y++)
      s += Math.abs(grey[y * w + x + 1]! - grey[y * w + x]!);
    cols.push(s / (h * 0.6));
  }
  const base = Math.max(1e-4, median([...rows, ...cols]));
  const q = (len: number) => Math.max(1, Math.floor(len / 4));
  const sides = [
    Math.max(...rows.slice(0, q(rows.length))),
    Math.max(...rows.slice(rows.length - q(rows.length))),
    Math.max(...cols.slice(0, q(cols.length))),
    Math.max(...cols.slice(cols.length - q(cols.length))),
  ];
  return Math.log10(Math.min(...sides) / base);
}

/** Colourfulness of the crop's middle, and the share of its pixels clipped to white (specular). */
export function colourStats(img: RgbImage): { colourfulness: number; specular: number } {
  const { width: w, height: h } = img;
  const rg: number[] = [];
  const yb: number[] = [];
  let clipped = 0;
  for (let y = Math.floor(h * 0.25); y < Math.ceil(h * 0.75); y++)
    for (let x = Math.floor(w * 0.25); x < Math.ceil(w * 0.75); x++) {
      const i = 3 * (y * w + x);
      const r = img.data[i]!;
      const g = img.data[i + 1]!;
      const b = img.data[i + 2]!;
      rg.push(r - g);
      yb.push((r + g) / 2 - b);
      if (r > 0.97 && g > 0.97 && b > 0.97) clipped++;
    }
  const stats = (v: number[]) => {
    const m = v.reduce((a, b) => a + b, 0) / v.length;
    const sd = Math.sqrt(v.reduce((a, b) => a + (b - m) ** 2, 0) / v.length);
    return { m, sd };
  };
  const a = stats(rg);
  const b = stats(yb);
  return {
    colourfulness: Math.hypot(a.sd, b.sd) + 0.3 * Math.hypot(a.m, b.m),
    specular: clipped / rg.length,
  };
}
