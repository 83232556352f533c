import type { LabComparison } from '../../../ml/siamese/compare';
import { useLab } from '../../../state/lab';
import { RocChart } from '../../components/RocChart';
import { GENUINE, IMPOSTOR, METHOD_COLOUR, METHOD_LABEL, pct, plural } from './shared';
import { Histogram, Legend } from './Histogram';
import { Plain } from '../../components/Term';

export function CompareCard() {
  const comparison = useLab((s) => s.comparison);
  const comparing = useLab((s) => s.comparing);
  const method = useLab((s) => s.settings.method);
  const margin = useLab((s) => {
    const settings = s.trained.head?.settings;
    return settings && 'margin' in settings ? settings.margin : null;
  });
  if (!comparison) {
    return comparing ? (
      <section className="card">
        <h2>Before and after</h2>
        <p className="muted">Scoring every pair of the held-out people…</p>
      </section>
    ) : null;
  }
  const c: LabComparison = comparison;
  const cosine = c.methods.find((m) => m.method === 'cosine');
  const head = c.methods.find((m) => m.method === 'head');
  const pair = c.methods.find((m) => m.method === 'pair-classifier');
  const toDistance = (cos: number | undefined) => (cos === undefined ? null : Math.max(0, 2 - 2 * cos));
  return (
    <section
      className="card wide"
      aria-labelledby="lab-compare"
      data-testid="lab-comparison"
      data-identities={c.identities}
      data-cosine-eer={cosine?.eer}
      data-head-eer={head?.eer}
      data-pair-eer={pair?.eer}
    >
      <h2 id="lab-compare">Before and after, on held-out people</h2>
      <p className="small">
        Rests on <strong>{plural(c.identities, 'person', 'people')}</strong> that training never saw (
        {plural(c.samples, 'face')}): <span title="genuine pairs">{plural(c.genuine_pairs, 'pair')} of one person</span>{' '}
        and <span title="impostor pairs">{plural(c.impostor_pairs, 'pair')} of two people</span>.
        {c.impostor_pairs < 1000 &&
          ` With fewer than 1,000 pairs of two people, "1 stranger in 1,000" cannot be measured: that column then shows the share of one-person pairs that score above every pair of two people.`}
        {c.identities < 10 && ' So few people make every figure here noisy; more data gives firmer numbers.'}
      </p>
      <div className="table-scroll">
        <table className="data" data-testid="lab-table">
          <thead>
            <tr>
              <th>Method</th>
              <th>
                <Plain
                  term="AUC"
                  explain="Area under the ROC curve: 1 when every pair of one person scores above every pair of two people."
                >
                  How well it separates (1 is perfect)
                </Plain>
              </th>
              <th>
                <Plain
                  term="EER"
                  explain="Equal error rate: the error where the share of the right person refused equals the share of strangers let in."
                >
                  Mistakes
                </Plain>
              </th>
              <th>
                <Plain term="TAR at FAR = 10⁻³" explain="True accept rate at a false accept rate of 1 in 1,000.">
                  Right person accepted when 1 in 1,000 strangers gets in
                </Plain>
              </th>
              <th>
                <Plain term="threshold at the EER">Setting where both mistakes are equal</Plain>
              </th>
            </tr>
          </thead>
          <tbody>
            {c.methods.map((m) => (
              <tr key={m.method} data-testid={`lab-row-${m.method}`}>
                <td>
                  <span className="lab-swatch" style={{ background: METHOD_COLOUR[m.method] }} aria-hidden="true" />{' '}
                  {METHOD_LABEL[m.method]}
                </td>
                <td>{m.auc.toFixed(3)}</td>
                <td>{pct(m.eer)}</td>
                <td>{pct(m.tar_at_far_1e3)}</td>
                <td>
                  {m.threshold_at_eer.toFixed(3)} <span className="muted small">{m.scale}</span>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="lab-charts">
        <figure className="lab-hist">
          <figcaption className="small muted">ROC on the held-out pairs</figcaption>
          <RocChart
            curves={c.methods.map((m) => ({ key: m.method, points: m.roc, colour: METHOD_COLOUR[m.method] }))}
            label="ROC curves"
            testId="lab-roc"
          />
          <Legend items={c.methods.map((m) => [METHOD_LABEL[m.method], METHOD_COLOUR[m.method]])} />
        </figure>
        <div>
          <Histogram
            hist={c.distances.before}
            title="Squared distance ‖a − b‖² before (raw embeddings)"
            axis="‖a − b‖² = 2 − 2·cos"
            threshold={toDistance(cosine?.threshold_at_eer)}
            testId="lab-hist-before"
          />
          {c.distances.after && (
            <Histogram
              hist={c.distances.after}
              title="Squared distance ‖f(a) − f(b)‖² after the head"
              axis={`‖f(a) − f(b)‖²${margin !== null ? ` (trained with α = ${margin})` : ''}`}
              threshold={toDistance(head?.threshold_at_eer)}
              testId="lab-hist-after"
            />
          )}
          {c.probabilities && (
            <Histogram
              hist={c.probabilities}
              title="Pair classifier: probability of the same person"
              axis="p(same)"
              threshold={pair?.threshold_at_eer}
              testId="lab-hist-pair"
            />
          )}
          <Legend
            items={[
              ['pairs of one person (genuine)', GENUINE],
              ['pairs of two people (impostor)', IMPOSTOR],
              ['setting where both mistakes are equal (threshold at the EER)', 'currentColor'],
            ]}
          />
        </div>
      </div>
      {!head && !pair && <p className="muted small">Train a head or a pair classifier to compare it with cosine.</p>}
      {method === 'head' && !pair && head && (
        <p className="muted small">Train the pair classifier too to see all three side by side.</p>
      )}
    </section>
  );
}
