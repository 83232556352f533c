import { useShallow } from 'zustand/react/shallow';
import { adoptableThreshold, useEvaluate } from '../../../state/evaluate';
import { FACE_MODELS } from '../../../state/faces';
import { RecognitionPanel } from './RecognitionPanel';
import { FileButton } from '../../components/FileButton';
import { RocChart } from '../../components/RocChart';
import { count, rate } from './format';
import { plural } from '../../format';
import { Plain } from '../../components/Term';

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
              {progress.done} of {plural(progress.total, 'image')}
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
                <th>Photos / faces found</th>
                <td>
                  {report.images} / {report.faces_found}
                </td>
              </tr>
              <tr>
                <th>People</th>
                <td>{report.identities}</td>
              </tr>
              <tr>
                <th>
                  <Plain
                    term="genuine / impostor pairs"
                    explain="Every two photos of the same person make a genuine pair; every two photos of different people an impostor pair."
                  >
                    Pairs of one person / of two people
                  </Plain>
                </th>
                <td>
                  {count(report.genuine_pairs)} / {count(report.impostor_pairs)}
                </td>
              </tr>
              <tr>
                <th>
                  <Plain
                    term="EER, equal error rate"
                    explain="At the threshold where the share of the right person refused equals the share of strangers let in."
                  >
                    Mistakes where both kinds are equally likely
                  </Plain>
                </th>
                <td data-testid="evaluate-eer">{rate(report.eer)}</td>
              </tr>
              <tr>
                <th>
                  <Plain
                    term="TAR at FAR = 10⁻³"
                    explain="True accept rate at a false accept rate of 1 in 1,000: the share of genuine pairs accepted at the threshold that lets in at most 1 in 1,000 impostor pairs."
                  >
                    Right person accepted, when 1 in 1,000 strangers gets in
                  </Plain>
                </th>
                <td data-testid="evaluate-tar">
                  {rate(report.tar_at_far_1e3)} of the time
                  {report.far_resolution > 1e-3 && (
                    <span className="muted small">
                      {' '}
                      (with {count(report.impostor_pairs)} pairs of two people, the smallest share of strangers this set
                      can show is {rate(report.far_resolution)})
                    </span>
                  )}
                </td>
              </tr>
              <tr>
                <th>
                  <Plain
                    term={`threshold ${report.threshold.toFixed(3)}`}
                    explain="The Unlock similarity threshold in force."
                  >
                    At Unlock&rsquo;s current setting
                  </Plain>
                </th>
                <td data-testid="evaluate-at-threshold">
                  the right person is refused {rate(report.frr_at_threshold)} of the time, a stranger let in{' '}
                  {rate(report.far_at_threshold)} of the time
                </td>
              </tr>
              {report.one_shot && (
                <tr>
                  <th>
                    <Plain
                      term="rank-1, open-set false match rate"
                      explain="Each person enrolled from one photo, probed with the others; each person in turn left out as a stranger."
                    >
                      Enrolled from one photo
                    </Plain>
                  </th>
                  <td data-testid="evaluate-one-shot">
                    the right person came first in {rate(report.one_shot.rank1)} of{' '}
                    {plural(report.one_shot.probes, 'search', 'searches')}; strangers were taken for someone{' '}
                    {rate(report.one_shot.open_set_fmr)} of {plural(report.one_shot.stranger_probes, 'time')}
                  </td>
                </tr>
              )}
              {report.multi_template && (
                <tr>
                  <th>
                    <Plain
                      term="two templates: max / mean fusion"
                      explain="Two photos enrolled per person; a person's score is the best (max) or the mean of the two."
                    >
                      Two photos per person
                    </Plain>
                  </th>
                  <td>
                    {report.multi_template
                      .map(
                        (m) =>
                          `${m.fusion === 'max' ? 'best of two' : 'average of two'}: mistakes ${rate(m.eer)}, right person first ${rate(m.rank1)}`,
                      )
                      .join(' · ')}{' '}
                    <span className="muted small">
                      ({plural(report.multi_template[0]!.probes, 'search', 'searches')})
                    </span>
                  </td>
                </tr>
              )}
              <tr>
                <th>
                  <Plain
                    term="rank-1 identification"
                    explain="Each photo searched against everyone: is the best match the right person?"
                  >
                    Right person found first
                  </Plain>
                </th>
                <td>
                  {rate(report.rank1)} of {plural(report.rank1_probes, 'search', 'searches')}
                </td>
              </tr>
              <tr>
                <th>
                  <Plain
                    term="threshold at the EER"
                    explain="The similarity threshold at which both kinds of mistake are equally likely."
                  >
                    Setting where both mistakes are equal
                  </Plain>
                </th>
                <td>{report.threshold_at_eer.toFixed(3)}</td>
              </tr>
            </tbody>
          </table>
          <p
            className="small muted"
            title="ROC curve: true accept rate against false accept rate, over every threshold."
          >
            How many of the right person are accepted (up) for each share of strangers let in (across):
          </p>
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
              This set suggests {report.calibration.unlock.threshold.toFixed(3)} for Unlock, below the lowest setting
              this face model allows for Unlock; using it sets {adoptUnlock.toFixed(3)}.
            </p>
          )}
          {report.calibration && (
            <p className="muted small" data-testid="evaluate-calibration">
              <span title="The higher of the empirical threshold and the normal-fit threshold for a false accept rate of 10⁻³.">
                The suggested Unlock setting lets in at most 1 in 1,000 of these {count(report.impostor_pairs)} pairs of
                two people
              </span>{' '}
              ({report.calibration.unlock.empirical.toFixed(3)} as measured,{' '}
              {report.calibration.unlock.normalFit.toFixed(3)} from a bell curve fitted to their scores; the stricter
              wins): with this many pairs the photos alone cannot show a share below {rate(report.far_resolution)}. It
              refuses {rate(report.calibration.unlock.frr)} of the {count(report.genuine_pairs)} pairs of one person.
              Identify&rsquo;s is set the same way for 1 in 100.
            </p>
          )}
          {report.skipped.length > 0 && (
            <details>
              <summary>{plural(report.skipped.length, 'image')} not used</summary>
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
