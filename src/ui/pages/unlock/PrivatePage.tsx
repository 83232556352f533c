// #/private: the private notes, open only while unlocked (not in the tabs; an unlock links to it).
import { useUnlock } from '../../../state/unlock';
import { LockAgainButton, NotesPanel } from './NotesPanel';

export function PrivatePage() {
  const session = useUnlock((s) => s.session);
  if (!session) {
    return (
      <section className="card private-locked" data-testid="private-locked">
        <h1>Locked — unlock with your face or passcode</h1>
        <p>
          These notes open after an unlock. <a href="#/unlock">Go to Unlock</a>
        </p>
      </section>
    );
  }
  return (
    <section className="card" data-testid="private-page">
      <div className="row wrap private-head">
        <h1>{session.by === 'face' && session.name ? `${session.name}'s private notes` : 'Private notes'}</h1>
        <LockAgainButton />
      </div>
      <NotesPanel heading={false} />
    </section>
  );
}
