import { useShallow } from 'zustand/react/shallow';
import { useEffect, useRef, useState, type FormEvent, type ReactNode } from 'react';
import {
  previewThumbKey,
  trustMessage,
  useGallery,
  type PersonChange,
  type PersonSummary,
} from '../../../state/gallery';
import { plural } from '../../format';

/** Each list of the preview shows this many people; the rest are counted. */
const SHOWN_PER_LIST = 50;

const TEMPLATE_TIP =
  'A template is the stored measurement of a face (an embedding) that Facet compares new faces with.';

const n = (v: number) => v.toLocaleString('en');

/** What a change does to a person, in a few plain phrases; face data first, since that is what matching uses. */
export function changeWords(c: PersonChange): string[] {
  const words: string[] = [];
  if (c.templatesReplaced)
    words.push(`${plural(c.templatesReplaced, 'face template')} replaced by different face data`);
  if (c.templatesAdded) words.push(`${plural(c.templatesAdded, 'face template')} added`);
  if (c.templatesRemoved) words.push(`${plural(c.templatesRemoved, 'face template')} removed`);
  if (c.renamed) words.push(`renamed from “${c.before.name}”`);
  if (c.notesChanged) words.push('notes changed');
  const photos = c.thumbnailsAdded + c.thumbnailsRemoved + c.thumbnailsReplaced;
  if (photos) words.push(`${plural(photos, 'photo')} added, removed or replaced`);
  return words;
}

function Avatar({ url }: { url: string | undefined }) {
  return url ? <img src={url} alt="" className="avatar" /> : <div className="avatar" aria-hidden="true" />;
}

function PasswordStep() {
  const { restore, checkRestorePassword, previewRestore, cancelRestore } = useGallery(
    useShallow((s) => ({
      restore: s.restore,
      checkRestorePassword: s.checkRestorePassword,
      previewRestore: s.previewRestore,
      cancelRestore: s.cancelRestore,
    })),
  );
  const busy = useGallery((s) => !!s.busy);
  const [password, setPassword] = useState('');
  if (restore?.step !== 'password') return null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!busy && password) void checkRestorePassword(password);
  };
  return (
    <form className="stack" onSubmit={submit} data-testid="restore-password-form" noValidate>
      <p className="small">
        “{restore.fileName}” is sealed with{' '}
        {restore.keySource === 'gallery-passphrase'
          ? 'the passphrase of the gallery it was saved from'
          : 'the backup password chosen when it was saved'}
        . Type it so Facet can check that nobody changed the file since.
      </p>
      <label className="field">
        <span>{restore.keySource === 'gallery-passphrase' ? 'Gallery passphrase' : 'Backup password'}</span>
        <input
          type="password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          autoComplete="current-password"
          spellCheck={false}
          data-testid="restore-password"
        />
      </label>
      {restore.problem && (
        <p className="alert small" role="alert" data-testid="restore-password-problem">
          {restore.problem}
        </p>
      )}
      <div className="row wrap">
        <button className="btn primary" type="submit" disabled={busy || !password}>
          Check and continue
        </button>
        <button className="btn" type="button" disabled={busy} onClick={() => void previewRestore()}>
          I do not have it: show what it would change
        </button>
        <button className="btn ghost" type="button" onClick={cancelRestore} data-testid="restore-cancel">
          Cancel
        </button>
      </div>
    </form>
  );
}

function PersonLine({ person, url, testId }: { person: PersonSummary; url: string | undefined; testId: string }) {
  return (
    <li className="person" data-testid={testId} data-id={person.id}>
      <Avatar url={url} />
      <div className="person-main">
        <strong>{person.name}</strong>
        <div className="muted small" title={TEMPLATE_TIP}>
          {plural(person.templates, 'face template')} · {plural(person.thumbnails, 'photo')}
        </div>
      </div>
    </li>
  );
}

function ChangeLine({ change, thumbs }: { change: PersonChange; thumbs: Record<string, string> }) {
  const faces = change.templatesReplaced + change.templatesAdded > 0;
  return (
    <li className="person" data-testid="preview-change" data-id={change.id}>
      <Avatar url={thumbs[previewThumbKey('before', change.id)]} />
      <span aria-hidden="true">→</span>
      <Avatar url={thumbs[previewThumbKey('after', change.id)]} />
      <div className="person-main">
        <strong>{change.after.name}</strong>
        {faces && <span className="chip warn">New face data</span>}
        <div className="small" title={TEMPLATE_TIP}>
          {changeWords(change).join('; ')}
        </div>
        <div className="muted small">
          now {plural(change.before.templates, 'face template')}, after {n(change.after.templates)}
        </div>
      </div>
    </li>
  );
}

function Section<T>({
  title,
  items,
  testId,
  render,
}: {
  title: string;
  items: readonly T[];
  testId: string;
  render(item: T): ReactNode;
}) {
  if (items.length === 0) return null;
  return (
    <div data-testid={testId}>
      <h4>
        {title} ({n(items.length)})
      </h4>
      <ul className="people">{items.slice(0, SHOWN_PER_LIST).map(render)}</ul>
      {items.length > SHOWN_PER_LIST && (
        <p className="muted small">…and {plural(items.length - SHOWN_PER_LIST, 'more person', 'more people')}.</p>
      )}
    </div>
  );
}

function PreviewStep() {
  const { restore, confirmRestore, cancelRestore } = useGallery(
    useShallow((s) => ({ restore: s.restore, confirmRestore: s.confirmRestore, cancelRestore: s.cancelRestore })),
  );
  const busy = useGallery((s) => !!s.busy);
  if (restore?.step !== 'preview') return null;
  const { preview, trust, thumbs } = restore;
  const nothing = preview.add.length + preview.change.length + preview.remove.length === 0;
  const counts = (c: typeof preview.before) =>
    `${plural(c.identities, 'person', 'people')}, ${plural(c.templates, 'face template')}`;
  return (
    <div className="stack" data-testid="restore-preview" data-trust={trust}>
      <p
        className={trust === 'valid' ? 'result good small' : trust === 'changed' ? 'alert small' : 'notice small'}
        data-testid="restore-trust"
      >
        {trustMessage(trust)}
        {restore.sealProblem ? ` ${restore.sealProblem}` : ''}
      </p>
      <p className="small">
        {preview.mode === 'replace'
          ? 'Restoring replaces the whole gallery with this backup.'
          : 'Restoring adds this backup to the gallery; nobody is removed.'}{' '}
        The gallery has {counts(preview.before)} now and would have {counts(preview.after)} after.
        {preview.unchanged ? ` ${plural(preview.unchanged, 'person', 'people')} would stay as they are.` : ''}
      </p>
      {nothing && <p className="small">It would change nothing.</p>}
      <Section
        title="Changed"
        items={preview.change}
        testId="preview-changes"
        render={(c) => <ChangeLine key={c.id} change={c} thumbs={thumbs} />}
      />
      <Section
        title="Removed"
        items={preview.remove}
        testId="preview-removals"
        render={(p) => (
          <PersonLine key={p.id} person={p} url={thumbs[previewThumbKey('remove', p.id)]} testId="preview-remove" />
        )}
      />
      <Section
        title="Added"
        items={preview.add}
        testId="preview-additions"
        render={(p) => (
          <PersonLine key={p.id} person={p} url={thumbs[previewThumbKey('add', p.id)]} testId="preview-add" />
        )}
      />
      <div className="row wrap">
        <button
          className="btn primary"
          type="button"
          disabled={busy}
          onClick={() => void confirmRestore()}
          data-testid="restore-confirm"
        >
          {trust === 'valid' ? 'Restore this backup' : 'Restore it anyway'}
        </button>
        <button className="btn" type="button" onClick={cancelRestore} data-testid="restore-cancel">
          Cancel
        </button>
      </div>
    </div>
  );
}

/** The restore conversation: the file's password, then what it would change, then confirm or cancel. */
export function RestoreDialog() {
  const step = useGallery((s) => s.restore?.step);
  const fileName = useGallery((s) => s.restore?.fileName);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    heading.current?.focus();
    heading.current?.scrollIntoView({ block: 'nearest' });
  }, [step]);
  if (!step) return null;
  return (
    <section className="stack" aria-labelledby="restore-heading" data-testid="restore-dialog">
      <h3 id="restore-heading" ref={heading} tabIndex={-1}>
        {step === 'password' ? 'Check the backup’s seal' : `Before you restore “${fileName}”`}
      </h3>
      {step === 'password' ? <PasswordStep /> : <PreviewStep />}
    </section>
  );
}
