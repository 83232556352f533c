import { useShallow } from 'zustand/react/shallow';
import { adoptableThreshold, useEvaluate } from '../../../state/evaluate';
import { FACE_MODELS } from '../../../state/faces';
import { RecognitionPanel } from './RecognitionPanel';
import { FileButton } from '../../components/FileButton';
import { RocChart } from '../../components/RocChart';
import { count, pct, rate } from './format';

export function EvaluatePage() {
  const { running, progress, report, recognition, error, run, adoptThreshold } = useEvaluate(
    useShallow((s) => ({
      running: s.running,
      progress: s.progress,
      report: s.report,
      recognition: s.recognition,
      error: s.error,
      run: s.run,
      adoptThreshold: s.adoptThreshold,
    })),
  );
  const adoptUnlock = report ? adoptableThreshold(report, 'unlock') : null;
  const adoptIdentify = report ? adoptableThreshold(report, 'identify') : null;
  return (
    <div className="grid two">
      <section className="card">
        <h1>Evaluate</h1>
        <p className="lead">
          How well does face matching work on your own pictures? Choose a folder with one subfolder of photos per
          person.
        </p>
        <FileButton
          className="btn primary"
          directory
          disabled={running}
          testId="evaluate-input"
          onFiles={(f) => void run(f)}
        >
          Choose a labelled folder…
        </FileButton>
        {progress && running && (
          <div role="status">
            <progress max={progress.total} value={progress.done} />
            <p className="small muted">
              {progress.done} of {progress.total} images
            </p>
          </div>
        )}
        {error && (
          <div className="alert" role="alert" data-testid="evaluate-error">
            {error}
          </div>
        )}
        <p className="muted small">
          Every pair of images of the same person is a genuine pair, every pair of different people an impostor pair.
          Images stay on this device.
        </p>
      </section>
      {report && (
        <section
          className="card"
          data-testid="evaluate-report"
          data-eer={report.eer}
          data-threshold={adoptUnlock ?? ''}
        >
          <h2>
            Results — {FACE_MODELS.find((m) => m.id === report.model)?.name ?? report.model} on {report.backend}
          </h2>
          <table className="kv">
            <tbody>
              <tr>
                <th>Images / faces found</th>
                <td>
                  {report.images} / {report.faces_found}
                </td>
              </tr>
              <tr>
                <th>Identities</th>
                <td>{report.identities}</td>
              </tr>
              <tr>
                <th>Genuine / impostor pairs</th>
                <td>
                  {report.genuine_pairs.toLocaleString()} / {report.impostor_pairs.toLocaleString()}
                </td>
              </tr>
              <tr>
                <th>Equal error rate</th>
                <td data-testid="evaluate-eer">{pct(report.eer)}</td>
              </tr>
              <tr>
                <th>TAR at FAR = 1e-3</th>
                <td>
                  {pct(report.tar_at_far_1e3)}{' '}
                  <span className="muted small">(FAR resolution {rate(report.far_resolution)})</span>
                </td>
              </tr>
              <tr>
                <th>At the Unlock threshold in force ({report.threshold.toFixed(3)})</th>
                <td data-testid="evaluate-at-threshold">
                  {pct(report.frr_at_threshold)} of genuine pairs refused, {pct(report.far_at_threshold)} of impostor
                  pairs accepted
                </td>
              </tr>
              {report.one_shot && (
                <tr>
                  <th title="Each person enrolled from one photo, probed with the others; each person in turn left out as a stranger.">
                    Enrolled from one photo
                  </th>
                  <td data-testid="evaluate-one-shot">
                    rank-1 {pct(report.one_shot.rank1)} of {count(report.one_shot.probes)} searches; strangers matched{' '}
                    {pct(report.one_shot.open_set_fmr)} of {count(report.one_shot.stranger_probes)}
                  </td>
                </tr>
              )}
              {report.multi_template && (
                <tr>
                  <th title="Two photos enrolled per person; a person's score is the best (max) or the mean of the two.">
                    Two templates per person
                  </th>
                  <td>
                    {report.multi_template
                      .map((m) => `${m.fusion}: EER ${pct(m.eer)}, rank-1 ${pct(m.rank1)}`)
                      .join(' · ')}{' '}
                    <span className="muted small">({count(report.multi_template[0]!.probes)} probes)</span>
                  </td>
                </tr>
              )}
              <tr>
                <th>Rank-1 identification</th>
                <td>
                  {pct(report.rank1)} of {report.rank1_probes} probes
                </td>
              </tr>
              <tr>
                <th>Threshold at the EER</th>
                <td>{report.threshold_at_eer.toFixed(3)}</td>
              </tr>
            </tbody>
          </table>
          <RocChart curves={[{ key: 'roc', points: report.roc }]} label="ROC curve" testId="roc" />
          <div className="row wrap">
            {adoptUnlock != null && (
              <button
                className="btn"
                onClick={() => adoptThreshold('unlock')}
                data-testid="adopt-threshold"
                title={`Calibrated for at most 1 stranger in 1,000 on ${count(report.impostor_pairs)} impostor pairs`}
              >
                Use {adoptUnlock.toFixed(3)} for Unlock
              </button>
            )}
            {adoptIdentify != null && (
              <button
                className="btn"
                onClick={() => adoptThreshold('identify')}
                data-testid="adopt-identify-threshold"
                title={`Calibrated for at most 1 stranger in 100 on ${count(report.impostor_pairs)} impostor pairs`}
              >
                Use {adoptIdentify.toFixed(3)} for Identify
              </button>
            )}
          </div>
          {report.calibration && adoptUnlock != null && adoptUnlock > report.calibration.unlock.threshold + 1e-3 && (
            <p className="muted small" data-testid="adopt-raised">
              This set calibrates Unlock at {report.calibration.unlock.threshold.toFixed(3)}, below the lowest threshold
              this model allows for Unlock; adopting it sets {adoptUnlock.toFixed(3)}.
            </p>
          )}
          {report.calibration && (
            <p className="muted small" data-testid="evaluate-calibration">
              The Unlock threshold is the higher of the lowest one that accepts at most 1 in 1,000 of these{' '}
              {count(report.impostor_pairs)} impostor pairs ({report.calibration.unlock.empirical.toFixed(3)}) and the
              same point of a normal curve fitted to their scores ({report.calibration.unlock.normalFit.toFixed(3)}):
              with this many pairs the data alone cannot show a rate below {rate(report.far_resolution)}. It refuses{' '}
              {pct(report.calibration.unlock.frr)} of the {count(report.genuine_pairs)} genuine pairs. Identify's is set
              the same way for 1 in 100.
            </p>
          )}
          {report.skipped.length > 0 && (
            <details>
              <summary>{report.skipped.length} images not used</summary>
              <ul className="small">
                {report.skipped.map((s) => (
                  <li key={s.file}>
                    {s.file}: {s.reason}
                  </li>
                ))}
              </ul>
            </details>
          )}
        </section>
      )}
      {report && recognition && <RecognitionPanel report={report} recognition={recognition} />}
    </div>
  );
}
