// Limited-memory BFGS for tfjs, which has none. The classic choice for style transfer (Gatys et
// al. used it): on a smooth deterministic cost it reaches a given J in far fewer evaluations
// than Adam. History pairs (s, y) stay on the device as flat tensors; the only read-back per
// function evaluation is one small packed tensor [f, gᵀg, gᵀs, yᵀs, yᵀy, sᵀs, …terms], so a step
// that takes its first trial point costs one sync, like an Adam step.
import * as tf from '@tensorflow/tfjs';

export interface LossAndGradResult {
  loss: tf.Scalar;
  /** ∂loss/∂x, shaped like x. */
  grad: tf.Tensor;
  /** Values to report with the loss (e.g. cost terms), read back in the same sync. */
  terms?: tf.Tensor1D;
}

/** Evaluates the cost and its gradient at x; L-BFGS disposes what it returns. */
export type LossAndGrad = (x: tf.Tensor) => LossAndGradResult;

export interface LbfgsOptions {
  /** m: how many (s, y) pairs to remember. */
  historySize: number;
  /** Bound on function evaluations in one step's line search. */
  maxEvaluations: number;
  /** c₁ of the Armijo sufficient-decrease condition. */
  armijo: number;
  /**
   * Size of a steepest-descent step (the first step, and after a reset), as the root mean
   * square change per element: for an image in 0..1 this reads like Adam's learning rate.
   */
  initialStep: number;
  /** A pair is skipped when yᵀs ≤ ε·‖s‖·‖y‖: the curvature is not safely positive. */
  curvatureEpsilon: number;
  /** Box [lo, hi] that trial points are projected onto (e.g. [0, 1] for an image); null for none. */
  bounds: readonly [number, number] | null;
  /** The step reports converged when ‖∇f‖ ≤ this. */
  gradientTolerance: number;
}

export const DEFAULT_LBFGS_OPTIONS: LbfgsOptions = {
  historySize: 10,
  maxEvaluations: 20,
  armijo: 1e-4,
  initialStep: 0.02,
  curvatureEpsilon: 1e-8,
  bounds: null,
  gradientTolerance: 0,
};

export interface LbfgsStepResult {
  /** The cost at the variable's value after the step. */
  loss: number;
  /** The terms reported with that cost (empty when lossAndGrad gives none). */
  terms: number[];
  /** Function evaluations this step made (including the very first one at x₀). */
  evaluations: number;
  /** Whether the variable moved. */
  accepted: boolean;
  /** The step length along the search direction that was taken (0 when none was). */
  stepSize: number;
  /** No further progress is possible: a zero (projected) gradient, or even steepest descent failed. */
  converged: boolean;
}

interface Evaluation {
  f: number;
  gg: number;
  gs: number;
  ys: number;
  yy: number;
  ss: number;
  terms: number[];
  x: tf.Tensor1D;
  g: tf.Tensor1D;
  s: tf.Tensor1D | null;
  y: tf.Tensor1D | null;
}

interface Point {
  f: number;
  gg: number;
  terms: number[];
  g: tf.Tensor1D;
}

function disposeEvaluation(e: Evaluation) {
  tf.dispose([e.x, e.g]);
  if (e.s) e.s.dispose();
  if (e.y) e.y.dispose();
}

export class Lbfgs {
  readonly options: LbfgsOptions;
  private readonly shape: number[];
  private readonly size: number;
  private s: tf.Tensor1D[] = [];
  private y: tf.Tensor1D[] = [];
  private rho: number[] = [];
  /** sᵀy / yᵀy of the newest pair: the scaling of the initial inverse Hessian H₀ = γI. */
  private gamma = 1;
  private current: Point | null = null;
  private disposed = false;

  constructor(
    readonly variable: tf.Variable,
    private readonly lossAndGrad: LossAndGrad,
    options: Partial<LbfgsOptions> = {},
  ) {
    this.options = { ...DEFAULT_LBFGS_OPTIONS, ...options };
    if (!(this.options.historySize >= 1)) throw new RangeError('L-BFGS needs a history of at least one pair.');
    if (!(this.options.maxEvaluations >= 1)) throw new RangeError('L-BFGS needs at least one evaluation per step.');
    this.shape = variable.shape.slice();
    this.size = variable.size;
  }

  /** Pairs currently remembered. */
  get historyLength(): number {
    return this.s.length;
  }

  /**
   * Forgets the history and the cached cost/gradient: call after changing the variable from
   * outside (the cached gradient would belong to another point).
   */
  reset(): void {
    this.clearHistory();
    if (this.current) this.current.g.dispose();
    this.current = null;
  }

  dispose(): void {
    this.reset();
    this.disposed = true;
  }

  /** One outer iteration: direction by two-loop recursion, then a backtracking Armijo line search. */
  async step(): Promise<LbfgsStepResult> {
    if (this.disposed) throw new Error('This L-BFGS optimiser has been disposed.');
    const o = this.options;
    let evaluations = 0;
    if (!this.current) {
      const x0 = tf.tidy(() => this.variable.reshape([-1]) as tf.Tensor1D);
      const e = await this.evaluate(x0, null);
      evaluations++;
      tf.dispose([e.x]);
      this.current = { f: e.f, gg: e.gg, terms: e.terms, g: e.g };
      if (!Number.isFinite(e.f)) {
        throw new Error(`L-BFGS: the cost at the starting point is ${e.f}.`);
      }
    }
    const here = this.current;
    const stay = (converged: boolean): LbfgsStepResult => ({
      loss: here.f,
      terms: here.terms,
      evaluations,
      accepted: false,
      stepSize: 0,
      converged,
    });
    if (Math.sqrt(here.gg) <= o.gradientTolerance || here.gg === 0) return stay(true);

    const x = tf.tidy(() => this.variable.reshape([-1]) as tf.Tensor1D);
    try {
      let steepest = this.s.length === 0;
      while (evaluations < o.maxEvaluations) {
        const d = this.direction(here.g, steepest);
        try {
          // A quasi-Newton step is scaled by H₀ = γI already; steepest descent needs a length.
          let t = steepest ? o.initialStep / Math.sqrt(here.gg / this.size) : 1;
          let first = true;
          while (evaluations < o.maxEvaluations) {
            const xt = this.trialPoint(x, d, t);
            const e = await this.evaluate(xt, { x, g: here.g });
            evaluations++;
            if (first && !(e.gs < 0)) {
              // Not a descent direction (possible once projection clips the step): fall back
              // to steepest descent, or give up if even that cannot move downhill.
              disposeEvaluation(e);
              if (steepest) return stay(true);
              this.clearHistory();
              steepest = true;
              break;
            }
            first = false;
            if (Number.isFinite(e.f) && e.f <= here.f + o.armijo * e.gs) {
              this.accept(e);
              return {
                loss: e.f,
                terms: e.terms,
                evaluations,
                accepted: true,
                stepSize: t,
                converged: Math.sqrt(e.gg) <= o.gradientTolerance,
              };
            }
            // Minimiser of the quadratic through f(0), f'(0) ≈ gᵀs/t and f(t), kept within
            // [0.1t, 0.5t] so a poor model can neither stall nor overshoot the search.
            const curvature = e.f - here.f - e.gs;
            const q = Number.isFinite(e.f) && curvature > 0 ? (-e.gs * t) / (2 * curvature) : 0.1 * t;
            t = Math.min(0.5 * t, Math.max(0.1 * t, q));
            disposeEvaluation(e);
          }
        } finally {
          d.dispose();
        }
        if (evaluations >= o.maxEvaluations) break;
      }
      // The line search ran out of evaluations: stay, and start again from steepest descent.
      const wasSteepest = this.s.length === 0;
      this.clearHistory();
      return stay(wasSteepest);
    } finally {
      x.dispose();
    }
  }

  private clearHistory() {
    tf.dispose([...this.s, ...this.y]);
    this.s = [];
    this.y = [];
    this.rho = [];
    this.gamma = 1;
  }

  /** −H·g by the two-loop recursion (or −g); everything stays on the device, no read-back. */
  private direction(g: tf.Tensor1D, steepest: boolean): tf.Tensor1D {
    return tf.tidy(() => {
      if (steepest) return g.neg() as tf.Tensor1D;
      const k = this.s.length;
      const alpha: tf.Scalar[] = new Array<tf.Scalar>(k);
      let q: tf.Tensor1D = g;
      for (let i = k - 1; i >= 0; i--) {
        const a = tf.dot(this.s[i] as tf.Tensor1D, q).mul(this.rho[i] as number) as tf.Scalar;
        alpha[i] = a;
        q = q.sub((this.y[i] as tf.Tensor1D).mul(a));
      }
      let r = q.mul(this.gamma) as tf.Tensor1D;
      for (let i = 0; i < k; i++) {
        const b = tf.dot(this.y[i] as tf.Tensor1D, r).mul(this.rho[i] as number);
        r = r.add((this.s[i] as tf.Tensor1D).mul((alpha[i] as tf.Scalar).sub(b)));
      }
      return r.neg() as tf.Tensor1D;
    });
  }

  private trialPoint(x: tf.Tensor1D, d: tf.Tensor1D, t: number): tf.Tensor1D {
    const bounds = this.options.bounds;
    return tf.tidy(() => {
      const moved = x.add(d.mul(t)) as tf.Tensor1D;
      return bounds ? (tf.clipByValue(moved, bounds[0], bounds[1]) as tf.Tensor1D) : moved;
    });
  }

  /** Cost and gradient at xt (owned by the result), with the pair (s, y) relative to base. */
  private async evaluate(xt: tf.Tensor1D, base: { x: tf.Tensor1D; g: tf.Tensor1D } | null): Promise<Evaluation> {
    let tensors: tf.Tensor1D[];
    try {
      // [packed, g] or [packed, g, s, y]: tidy cannot return nulls.
      tensors = tf.tidy(() => {
        const r = this.lossAndGrad(xt.reshape(this.shape));
        try {
          const g = r.grad.reshape([-1]) as tf.Tensor1D;
          const parts = [r.loss.reshape([1]), tf.dot(g, g).reshape([1])];
          const pair: tf.Tensor1D[] = [];
          if (base) {
            const s = xt.sub(base.x) as tf.Tensor1D;
            const y = g.sub(base.g) as tf.Tensor1D;
            parts.push(tf.stack([tf.dot(base.g, s), tf.dot(y, s), tf.dot(y, y), tf.dot(s, s)]));
            pair.push(s, y);
          } else {
            parts.push(tf.zeros([4]));
          }
          if (r.terms) parts.push(r.terms);
          return [tf.concat(parts) as tf.Tensor1D, g, ...pair];
        } finally {
          // lossAndGrad may have created these outside this scope (e.g. kept terms).
          tf.dispose([r.loss, r.grad, ...(r.terms ? [r.terms] : [])]);
        }
      });
    } catch (err) {
      xt.dispose();
      throw err;
    }
    const [packed, g, s, y] = tensors as [tf.Tensor1D, tf.Tensor1D, tf.Tensor1D?, tf.Tensor1D?];
    let v: Float32Array;
    try {
      v = (await packed.data()) as Float32Array;
    } catch (err) {
      tf.dispose([xt, ...tensors.slice(1)]);
      throw err;
    } finally {
      packed.dispose();
    }
    const at = (i: number) => v[i] as number;
    return {
      f: at(0),
      gg: at(1),
      gs: at(2),
      ys: at(3),
      yy: at(4),
      ss: at(5),
      terms: Array.from(v.subarray(6)),
      x: xt,
      g,
      s: s ?? null,
      y: y ?? null,
    };
  }

  private accept(e: Evaluation) {
    const o = this.options;
    const next = e.x.reshape(this.shape);
    this.variable.assign(next);
    tf.dispose([next, e.x]);
    const s = e.s as tf.Tensor1D;
    const y = e.y as tf.Tensor1D;
    if (Number.isFinite(e.ys) && e.ys > o.curvatureEpsilon * Math.sqrt(e.ss * e.yy) && e.ys > 0) {
      this.s.push(s);
      this.y.push(y);
      this.rho.push(1 / e.ys);
      this.gamma = e.ys / e.yy;
      if (this.s.length > o.historySize) {
        tf.dispose([this.s.shift() as tf.Tensor, this.y.shift() as tf.Tensor]);
        this.rho.shift();
      }
    } else {
      tf.dispose([s, y]);
    }
    if (this.current) this.current.g.dispose();
    this.current = { f: e.f, gg: e.gg, terms: e.terms, g: e.g };
  }
}
