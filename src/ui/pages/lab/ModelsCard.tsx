import { useEffect, useState } from 'react';
import type { StoredModel } from '../../../db/studio';
import { useFaces } from '../../../state/faces';
import { labVerdict, percent, useLab, type TrainMethod } from '../../../state/lab';
import { useSettings } from '../../../state/settings';
import { modelName, pct, plural, useBusy } from './shared';

function SaveForm({ method }: { method: TrainMethod }) {
  const info = useLab((s) => (method === 'head' ? s.trained.head : s.trained.pair));
  const evaluation = useLab((s) => s.comparison?.methods.find((m) => m.method === method));
  const cosine = useLab((s) => s.comparison?.methods.find((m) => m.method === 'cosine'));
  const save = useLab((s) => s.save);
  const busy = useBusy();
  const [name, setName] = useState('');
  // "Keep the current one" answers the offer for this trained model; a new one asks again.
  const [keptFor, setKeptFor] = useState<object | null>(null);
  if (!info || !evaluation) return null;
  const what = method === 'head' ? 'head' : 'pair classifier';
  if (keptFor === info) {
    return (
      <p className="small muted" data-testid={`lab-kept-${method}`}>
        The {what} was not saved; Unlock and Identify go on as before.
      </p>
    );
  }
  const verdict = cosine ? labVerdict(evaluation, cosine) : null;
  const doubtful = verdict !== null && verdict.kind !== 'better';
  return (
    <div className="lab-save">
      {verdict && (
        <p
          className={doubtful ? 'notice small' : 'result good small'}
          role="status"
          data-testid={`lab-verdict-${method}`}
          data-verdict={verdict.kind}
        >
          <span className="visually-hidden">The {what}: </span>
          {verdict.message}
        </p>
      )}
      <div className="row wrap">
        {doubtful && (
          <button
            type="button"
            className="btn primary"
            onClick={() => setKeptFor(info)}
            data-testid={`lab-keep-${method}`}
          >
            Keep the current one
          </button>
        )}
        <input
          type="text"
          className="lab-name"
          value={name}
          placeholder={`${info.label}, ${plural(info.stepsDone, 'step')}`}
          aria-label={`Name for the ${what}`}
          onChange={(e) => setName(e.target.value)}
        />
        <button
          type="button"
          className={doubtful ? 'btn' : 'btn primary'}
          disabled={busy}
          onClick={() => void save(method, name)}
          data-testid={`lab-save-${method}`}
          title={`Held-out EER ${pct(evaluation.eer)}: the error rate, on people training never saw, where both kinds of mistake are equal.`}
        >
          {doubtful ? `Save the ${what} anyway` : `Save the ${what}`} (held-out error {percent(evaluation.eer)})
        </button>
      </div>
    </div>
  );
}

function ModelItem({
  model,
  adoptedId,
  embedderId,
}: {
  model: StoredModel;
  adoptedId: string | null;
  embedderId: string;
}) {
  const adopt = useLab((s) => s.adopt);
  const deleteSaved = useLab((s) => s.deleteSaved);
  const m = model.metrics ?? {};
  const adopted = model.id === adoptedId;
  const usable = model.modelId === embedderId;
  return (
    <li
      className="lab-model"
      data-testid="lab-model"
      data-adopted={adopted}
      data-active={adopted && usable}
      data-kind={model.kind}
    >
      <div>
        <strong>{model.name}</strong>{' '}
        {adopted && usable && <span className="chip good">In use for Unlock and Identify</span>}
        {adopted && !usable && <span className="chip warn">Chosen, but inactive</span>}
        {m.eer !== undefined && m.cosine_eer !== undefined && m.eer > m.cosine_eer && (
          <span className="chip warn" data-testid="lab-model-worse">
            Worse than no model
          </span>
        )}
        <div className="small muted">
          {model.kind === 'head' ? 'Triplet head' : 'Pair classifier'} on {modelName(model.modelId)} ·{' '}
          {new Date(model.created).toLocaleString()}
          {m.eer !== undefined && (
            <span title="Held-out EER: the error rate where both kinds of mistake are equal, on people training never saw; beside it, plain cosine's.">
              {` · held-out error ${percent(m.eer)} (no model: ${m.cosine_eer !== undefined ? percent(m.cosine_eer) : '?'})`}
            </span>
          )}
          {m.test_identities !== undefined && ` on ${plural(m.test_identities, 'person', 'people')}`}
          {m.threshold !== undefined && ` · threshold ${m.threshold.toFixed(3)}`}
        </div>
        {!usable && (
          <div className="small muted">
            Trained on {modelName(model.modelId)} embeddings; the active face model is {modelName(embedderId)}, so it is
            never applied. Switch the model in Settings to use it.
          </div>
        )}
      </div>
      <div className="row">
        {!adopted && (
          <button
            type="button"
            className="btn small"
            disabled={!usable}
            onClick={() => adopt(model.id)}
            data-testid="lab-adopt"
          >
            Use for Unlock and Identify
          </button>
        )}
        <button type="button" className="btn small" onClick={() => void deleteSaved(model.id)}>
          Delete
        </button>
      </div>
    </li>
  );
}

export function ModelsCard() {
  const saved = useLab((s) => s.saved);
  const savedMessage = useLab((s) => s.savedMessage);
  const loadSaved = useLab((s) => s.loadSaved);
  const rollBack = useLab((s) => s.rollBack);
  const nothingTrained = useLab((s) => !s.trained.head && !s.trained.pair);
  const adoptedId = useSettings((s) => s.adoptedLabModelId);
  const embedderId = useFaces((s) => s.embedderId);
  useEffect(() => {
    void loadSaved();
  }, [loadSaved]);
  const adopted = saved.find((m) => m.id === adoptedId);
  return (
    <section className="card wide" aria-labelledby="lab-models" data-testid="lab-models">
      <h2 id="lab-models">Adopt or roll back</h2>
      <p className="small muted">
        A saved model keeps the face model it was trained on and its threshold at the held-out EER. Once chosen, Unlock
        and Identify compare faces through it: a head maps the gallery&rsquo;s templates and each probe before the
        cosine search; a pair classifier re-scores the closest templates by its probability. Both decide with their own
        threshold.
      </p>
      <SaveForm method="head" />
      <SaveForm method="pair-classifier" />
      {nothingTrained && saved.length === 0 && (
        <p className="muted small">Nothing saved yet: train a model, then save it here.</p>
      )}
      <p className="small" data-testid="lab-adoption" data-adopted={adoptedId ?? ''}>
        {adoptedId === null
          ? 'Unlock and Identify use plain cosine similarity.'
          : adopted && adopted.modelId !== embedderId
            ? `The chosen model (${adopted.name}) is inactive: it was trained on ${modelName(adopted.modelId)} and the active face model is ${modelName(embedderId)}. Plain cosine is used.`
            : `Unlock and Identify use ${adopted?.name ?? 'a saved Lab model'}.`}{' '}
        {adoptedId !== null && (
          <button type="button" className="btn small" onClick={rollBack} data-testid="lab-rollback">
            Roll back to plain cosine
          </button>
        )}
      </p>
      {savedMessage && (
        <p className="small" role="status" data-testid="lab-saved-message">
          {savedMessage}
        </p>
      )}
      {saved.length > 0 && (
        <ul className="lab-models">
          {saved.map((m) => (
            <ModelItem key={m.id} model={m} adoptedId={adoptedId} embedderId={embedderId} />
          ))}
        </ul>
      )}
    </section>
  );
}
