import { useShallow } from 'zustand/react/shallow';
import { useFaces } from '../../../state/faces';
import { useLab } from '../../../state/lab';
import { FileButton } from '../../components/FileButton';
import { NumberField } from '../../components/NumberField';
import { countIdentities, modelName, plural, useBusy, useLabData } from './shared';

/** Its own component: a folder import updates it per image, and nothing else on the card. */
function ImportProgress() {
  const importing = useLab((s) => s.importing);
  if (!importing) return null;
  return (
    <div role="status">
      <progress max={Math.max(1, importing.total)} value={importing.done} />
      <p className="small muted">
        Reading the faces of {importing.done} of {plural(importing.total, 'image')}…
      </p>
    </div>
  );
}

export function DataCard() {
  const gallery = useLab((s) => s.gallery);
  const folder = useLab((s) => s.folder);
  const importing = useLab((s) => s.importing !== null);
  const importError = useLab((s) => s.importError);
  const { useGallery, useFolder, testFraction, splitSeed } = useLab(
    useShallow((s) => ({
      useGallery: s.settings.useGallery,
      useFolder: s.settings.useFolder,
      testFraction: s.settings.testFraction,
      splitSeed: s.settings.splitSeed,
    })),
  );
  const setSettings = useLab((s) => s.setSettings);
  const importFolder = useLab((s) => s.importFolder);
  const clearFolder = useLab((s) => s.clearFolder);
  const embedderId = useFaces((s) => s.embedderId);
  const data = useLabData();
  const busy = useBusy();
  const split = data.split;
  return (
    <section
      className="card"
      aria-labelledby="lab-data"
      data-testid="lab-data"
      data-identities={data.identities}
      data-samples={data.samples.length}
    >
      <h2 id="lab-data">Data</h2>
      <p className="small muted">
        Faces whose owner is known, one person per enrolled person or per subfolder{' '}
        <span title={`Labelled ${modelName(embedderId)} embeddings`}>(labelled embeddings)</span>. The face model itself
        is not changed; only a small model on top of it learns.
      </p>
      <fieldset className="fieldset" disabled={busy}>
        <legend>Sources</legend>
        <label className="check">
          <input type="checkbox" checked={useGallery} onChange={(e) => setSettings({ useGallery: e.target.checked })} />
          <span>
            The gallery (People): {gallery.status === 'loading' && 'reading…'}
            {gallery.status === 'ready' &&
              gallery.source &&
              `${plural(countIdentities(gallery.source.samples), 'person', 'people')}, ${plural(gallery.source.samples.length, 'face')}`}
          </span>
        </label>
        {gallery.error && (
          <div className="alert" role="alert">
            {gallery.error}
          </div>
        )}
        {folder ? (
          <label className="check">
            <input type="checkbox" checked={useFolder} onChange={(e) => setSettings({ useFolder: e.target.checked })} />
            <span data-testid="lab-folder-summary">
              {`Imported folder “${folder.name}”: ${plural(countIdentities(folder.samples), 'person', 'people')}, ` +
                `${plural(folder.samples.length, 'face')} from ${plural(folder.images, 'image')}` +
                (folder.skipped.length ? ` (${plural(folder.skipped.length, 'image')} without a usable face)` : '')}
            </span>
          </label>
        ) : (
          <p className="small muted" data-testid="lab-folder-summary">
            No folder imported.
          </p>
        )}
        <div className="row wrap">
          <FileButton
            className="btn"
            directory
            disabled={importing || busy}
            testId="lab-folder-input"
            onFiles={(f) => void importFolder(f)}
          >
            Import a labelled folder…
          </FileButton>
          {folder && (
            <button type="button" className="btn small" onClick={clearFolder}>
              Forget the folder
            </button>
          )}
        </div>
        <ImportProgress />
        {folder && folder.skipped.length > 0 && (
          <details>
            <summary>{plural(folder.skipped.length, 'image')} not used</summary>
            <ul className="small">
              {folder.skipped.map((s) => (
                <li key={s.file}>
                  {s.file}: {s.reason}
                </li>
              ))}
            </ul>
          </details>
        )}
        {importError && (
          <div className="alert" role="alert" data-testid="lab-import-error">
            {importError}
          </div>
        )}
        <small className="muted">
          One subfolder of photos per person. The embeddings stay in this tab only, until it is closed or reloaded. Do
          not combine a folder with the gallery if both hold the same people: they would count as different people.
        </small>
      </fieldset>
      <fieldset className="fieldset knobs" disabled={busy}>
        <legend>Held-out split, by identity</legend>
        <NumberField
          label="Share of people held out"
          value={testFraction}
          min={0.05}
          max={0.95}
          step={0.05}
          onChange={(v) => setSettings({ testFraction: v })}
          testId="lab-test-fraction"
        />
        <NumberField
          label="Split seed"
          value={splitSeed}
          min={0}
          step={1}
          onChange={(v) => setSettings({ splitSeed: Math.round(v) })}
        />
      </fieldset>
      {data.otherModel.length > 0 && (
        <p className="notice small">
          Left out: {data.otherModel.join(' and ')}, made by another face model than the active {modelName(embedderId)}.
          A model trained on one embedder means nothing on another&rsquo;s embeddings.
        </p>
      )}
      {split && (
        <p
          className="small"
          data-testid="lab-split"
          data-train={split.trainIdentities.length}
          data-test={split.testIdentities.length}
        >
          Train on <strong>{plural(split.trainIdentities.length, 'person', 'people')}</strong> (
          {plural(split.train.length, 'face')}); hold out{' '}
          <strong>{plural(split.testIdentities.length, 'person', 'people')}</strong> (
          {plural(split.test.length, 'face')}) that training never sees.
          {data.singles > 0 &&
            ` ${plural(data.singles, 'person', 'people')} with a single photo ${data.singles === 1 ? 'is' : 'are'} left out: triplets and genuine pairs need two photos of a person.`}
        </p>
      )}
      {/* Not enough data yet is what to do next, not a failure: a neutral hint, not a red alert. */}
      {data.problem && (
        <p className="hint" role="status" data-testid="lab-data-problem">
          {data.problem}
        </p>
      )}
    </section>
  );
}
