import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Lbfgs, type LossAndGrad } from './lbfgs';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** lossAndGrad from a cost function, the way a caller builds it. */
function fromCost(f: (x: tf.Tensor) => tf.Scalar): LossAndGrad {
  const vg = tf.valueAndGrad(f);
  return (x) => {
    const { value, grad } = vg(x);
    return { loss: value, grad };
  };
}

// f(x) = ½ Σ c_i x_i² with curvatures from 1 to 1000: condition number 1000.
const N = 20;
const curvatures = Array.from({ length: N }, (_, i) => 1000 ** (i / (N - 1)));
const quadratic = (x: tf.Tensor) =>
  tf.tidy(() => x.reshape([-1]).square().mul(tf.tensor1d(curvatures)).sum().mul(0.5) as tf.Scalar);

// Rosenbrock in 2-D: minimum 0 at (1, 1), a curved narrow valley.
const rosenbrock = (x: tf.Tensor) =>
  tf.tidy(() => {
    const [a, b] = tf.unstack(x) as [tf.Scalar, tf.Scalar];
    return tf.square(tf.sub(1, a)).add(tf.square(b.sub(a.square())).mul(100)) as tf.Scalar;
  });

/** A variable holding these values (tf.variable keeps its initial tensor alive, so free it). */
function variableOf(values: number[] | tf.Tensor): tf.Variable {
  const init = Array.isArray(values) ? tf.tensor1d(values) : values;
  const v = tf.variable(init);
  init.dispose();
  return v;
}

async function costAt(f: (x: tf.Tensor) => tf.Scalar, x: tf.Tensor): Promise<number> {
  const v = f(x);
  const out = (await v.data())[0] as number;
  v.dispose();
  return out;
}

/** Plain gradient descent with a fixed step, for the same number of function evaluations. */
async function gradientDescent(f: (x: tf.Tensor) => tf.Scalar, x0: number[], lr: number, steps: number) {
  const x = variableOf(x0);
  const sgd = tf.train.sgd(lr);
  for (let i = 0; i < steps; i++) sgd.minimize(() => f(x), false, [x]);
  const result = await costAt(f, x);
  tf.dispose([x]);
  sgd.dispose();
  return result;
}

async function lbfgsRun(f: (x: tf.Tensor) => tf.Scalar, x0: number[], steps: number, initialStep: number) {
  const x = variableOf(x0);
  const opt = new Lbfgs(x, fromCost(f), { initialStep });
  let evaluations = 0;
  let loss = NaN;
  for (let i = 0; i < steps; i++) {
    const r = await opt.step();
    evaluations += r.evaluations;
    loss = r.loss;
    if (r.converged) break;
  }
  const values = Array.from(await x.data());
  opt.dispose();
  x.dispose();
  return { loss, evaluations, values };
}

describe('Lbfgs', () => {
  it('minimises an ill-conditioned quadratic far faster than gradient descent', async () => {
    const start = tf.memory().numTensors;
    const x0 = new Array<number>(N).fill(1);
    const f0 = curvatures.reduce((a, c) => a + c / 2, 0);
    // scipy's L-BFGS-B (m = 10) reaches 3.4e-6 here in 100 iterations; this one 3e-5.
    const l = await lbfgsRun(quadratic, x0, 100, 0.1);
    // The largest stable fixed step is 2/c_max; 1.9/c_max is about the best plain GD can do.
    const gd = await gradientDescent(quadratic, x0, 1.9 / 1000, l.evaluations);
    expect(l.loss).toBeLessThan(1e-7 * f0);
    expect(gd).toBeGreaterThan(1e-4 * f0);
    expect(l.loss).toBeLessThan(gd * 1e-2);
    expect(tf.memory().numTensors).toBe(start);
  });

  it('minimises Rosenbrock faster than gradient descent', async () => {
    const l = await lbfgsRun(rosenbrock, [-1.2, 1], 200, 0.1);
    expect(l.loss).toBeLessThan(1e-5);
    expect(l.values[0]).toBeCloseTo(1, 2);
    expect(l.values[1]).toBeCloseTo(1, 2);
    const gd = await gradientDescent(rosenbrock, [-1.2, 1], 1e-3, l.evaluations);
    expect(gd).toBeGreaterThan(100 * l.loss);
    expect(gd).toBeGreaterThan(1e-3);
  });

  it('keeps the tensor count flat once the history is full, and frees it all on dispose', async () => {
    const start = tf.memory().numTensors;
    const x = variableOf(tf.randomUniform([4, 5], -2, 2, 'float32', 3));
    const opt = new Lbfgs(x, fromCost(quadratic), { historySize: 5, initialStep: 0.1 });
    const counts: number[] = [];
    for (let i = 0; i < 50; i++) {
      await opt.step();
      counts.push(tf.memory().numTensors);
    }
    expect(opt.historyLength).toBeLessThanOrEqual(5);
    expect(new Set(counts.slice(10)).size).toBe(1);
    opt.dispose();
    expect(tf.memory().numTensors).toBe(start + 1);
    x.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });

  it('projects onto bounds', async () => {
    // Σ (x − 2)² within [0, 1]: the answer is the corner x = 1.
    const x = variableOf([0.2, 0.5, 0.9]);
    const opt = new Lbfgs(
      x,
      fromCost((v) => tf.tidy(() => v.sub(2).square().sum() as tf.Scalar)),
      {
        bounds: [0, 1],
        initialStep: 0.1,
      },
    );
    let converged = false;
    for (let i = 0; i < 30 && !converged; i++) converged = (await opt.step()).converged;
    const v = Array.from(await x.data());
    expect(Math.max(...v)).toBeLessThanOrEqual(1);
    for (const e of v) expect(e).toBeCloseTo(1, 5);
    expect(converged).toBe(true);
    opt.dispose();
    x.dispose();
  });

  it('skips a pair without positive curvature', async () => {
    // A linear cost has y = 0 for every step: no pair may enter the history.
    const x = variableOf([0.5, 0.5]);
    const opt = new Lbfgs(
      x,
      fromCost((v) => tf.tidy(() => v.sum() as tf.Scalar)),
      {
        bounds: [0, 1],
        initialStep: 0.05,
      },
    );
    for (let i = 0; i < 5; i++) {
      const r = await opt.step();
      expect(r.accepted || r.converged).toBe(true);
      expect(opt.historyLength).toBe(0);
    }
    const v = Array.from(await x.data());
    expect(v[0]).toBeLessThan(0.5);
    opt.dispose();
    x.dispose();
  });

  it('reports the terms of the accepted point with the loss', async () => {
    const x = variableOf([3]);
    const opt = new Lbfgs(
      x,
      (v) =>
        tf.tidy(() => {
          const loss = v.square().sum() as tf.Scalar;
          return { loss, grad: v.mul(2), terms: tf.stack([loss, v.sum()]) as tf.Tensor1D };
        }),
      { initialStep: 0.5 },
    );
    const r = await opt.step();
    expect(r.accepted).toBe(true);
    expect(r.terms).toHaveLength(2);
    expect(r.terms[0]).toBeCloseTo(r.loss, 6);
    expect(r.terms[1]).toBeCloseTo((await x.data())[0] as number, 6);
    expect(r.loss).toBeLessThan(9);
    opt.dispose();
    x.dispose();
  });

  it('frees its tensors when the cost throws', async () => {
    const start = tf.memory().numTensors;
    const x = variableOf([1, 2]);
    let calls = 0;
    const opt = new Lbfgs(x, (v) => {
      if (++calls === 2) throw new Error('boom');
      return fromCost((u) => u.square().sum() as tf.Scalar)(v);
    });
    await expect(opt.step()).rejects.toThrow('boom');
    opt.dispose();
    x.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});
