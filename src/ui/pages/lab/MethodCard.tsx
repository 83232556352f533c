import { useLab, type TrainMethod } from '../../../state/lab';
import { NumberField } from '../../components/NumberField';
import { useBusy, useLabData } from './shared';

export function MethodCard() {
  const method = useLab((s) => s.settings.method);
  const h = useLab((s) => s.settings.head);
  const p = useLab((s) => s.settings.pair);
  const setSettings = useLab((s) => s.setSettings);
  const setHead = useLab((s) => s.setHead);
  const setPair = useLab((s) => s.setPair);
  const resetSettings = useLab((s) => s.resetSettings);
  const { dim } = useLabData();
  const busy = useBusy();
  return (
    <section className="card" aria-labelledby="lab-train">
      <h2 id="lab-train">Method</h2>
      <fieldset className="segmented" disabled={busy} aria-label="Method">
        {(
          [
            ['head', 'Triplet head'],
            ['pair-classifier', 'Pair classifier'],
          ] as [TrainMethod, string][]
        ).map(([id, label]) => (
          <label key={id}>
            <input
              type="radio"
              name="lab-method"
              value={id}
              checked={method === id}
              onChange={() => setSettings({ method: id })}
              data-testid={`lab-method-${id}`}
            />
            <span>{label}</span>
          </label>
        ))}
      </fieldset>
      {method === 'head' ? (
        <>
          <p className="small">
            Learns to pull photos of one person together and push different people apart, from groups of three: a photo,
            another of the same person, and one of someone else.
          </p>
          <p className="small muted">
            A small network f on top of the embeddings, trained with the triplet loss max(‖f(A)−f(P)‖² − ‖f(A)−f(N)‖² +
            α, 0) on batches of P people × K photos; faces are then compared by the cosine of f.
          </p>
          <fieldset className="fieldset knobs" disabled={busy}>
            <legend>Triplet head</legend>
            <label className="field">
              <span>Kind</span>
              <select value={h.kind} onChange={(e) => setHead({ kind: e.target.value as 'linear' | 'mlp' })}>
                <option value="linear">Linear</option>
                <option value="mlp">MLP (one hidden ReLU layer)</option>
              </select>
            </label>
            {h.outputDim !== null || dim > 0 ? (
              <NumberField
                label="Output size"
                value={h.outputDim ?? dim}
                min={1}
                step={1}
                hint={dim ? `${dim} = the embedding's own size: starts as the identity` : undefined}
                onChange={(v) => setHead({ outputDim: Math.round(v) === dim ? null : Math.round(v) })}
              />
            ) : (
              <p className="field">
                <span>Output size</span>
                <span className="small">The embedding&rsquo;s own size (known once there is data)</span>
              </p>
            )}
            <NumberField
              label="Margin α"
              hint="How much closer another photo of the same person must be than a photo of someone else"
              value={h.margin}
              min={0}
              max={4}
              onChange={(v) => setHead({ margin: v })}
              testId="lab-margin"
            />
            <label className="field">
              <span>
                Which groups to learn from <span className="muted">(triplet mining)</span>
              </span>
              <select value={h.miner} onChange={(e) => setHead({ miner: e.target.value as typeof h.miner })}>
                <option value="hardest">The hardest in each batch</option>
                <option value="semi-hard">Hard, but not the hardest (semi-hard)</option>
                <option value="random">Any, at random</option>
              </select>
            </label>
            <NumberField
              label="People per batch P"
              value={h.identitiesPerBatch}
              min={2}
              step={1}
              onChange={(v) => setHead({ identitiesPerBatch: Math.round(v) })}
            />
            <NumberField
              label="Photos per person K"
              value={h.samplesPerIdentity}
              min={2}
              step={1}
              onChange={(v) => setHead({ samplesPerIdentity: Math.round(v) })}
            />
            <NumberField
              label="Steps"
              value={h.steps}
              min={1}
              step={10}
              onChange={(v) => setHead({ steps: Math.round(v) })}
              testId="lab-steps"
            />
            <NumberField
              label="Learning rate (Adam)"
              value={h.learningRate}
              min={0}
              onChange={(v) => v > 0 && setHead({ learningRate: v })}
              testId="lab-lr"
            />
            <NumberField
              label="Seed"
              value={h.seed}
              min={0}
              step={1}
              onChange={(v) => setHead({ seed: Math.round(v) })}
            />
          </fieldset>
        </>
      ) : (
        <>
          <p className="small">Learns to answer &ldquo;are these two faces one person?&rdquo; with a probability.</p>
          <p className="small muted">
            A logistic regression on per-dimension features of a pair, trained on equal numbers of same-person and
            different-person pairs; it outputs the probability that two faces are one person.
          </p>
          <fieldset className="fieldset knobs" disabled={busy}>
            <legend>Pair classifier</legend>
            <label className="field">
              <span>Feature</span>
              <select value={p.feature} onChange={(e) => setPair({ feature: e.target.value as 'abs' | 'chi2' })}>
                <option value="abs">|a − b|</option>
                <option value="chi2">χ²: (a − b)² / (|a| + |b|)</option>
              </select>
            </label>
            <NumberField
              label="Pairs per batch"
              value={p.pairsPerBatch}
              min={2}
              step={2}
              onChange={(v) => setPair({ pairsPerBatch: Math.round(v) })}
            />
            <NumberField
              label="Steps"
              value={p.steps}
              min={1}
              step={10}
              onChange={(v) => setPair({ steps: Math.round(v) })}
              testId="lab-pair-steps"
            />
            <NumberField
              label="Learning rate (Adam)"
              value={p.learningRate}
              min={0}
              onChange={(v) => v > 0 && setPair({ learningRate: v })}
            />
            <NumberField
              label="Seed"
              value={p.seed}
              min={0}
              step={1}
              onChange={(v) => setPair({ seed: Math.round(v) })}
            />
          </fieldset>
        </>
      )}
      <button type="button" className="btn small" onClick={resetSettings} disabled={busy}>
        Reset to defaults
      </button>
    </section>
  );
}
