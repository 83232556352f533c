import { useGallery } from '../../../state/gallery';

import { useActiveModel } from './shared';

export function ModelCoverageNotice() {
  const identities = useGallery((s) => s.identities);
  const busy = useGallery((s) => !!s.busy);
  const reembedAll = useGallery((s) => s.reembedAll);
  const model = useActiveModel();
  const missing = identities.filter((i) => !i.templatesByModel[model.id]).length;
  if (missing === 0) return null;
  const who =
    missing === identities.length
      ? missing === 1
        ? 'The one person in the gallery has'
        : `None of the ${missing} people in the gallery have`
      : `${missing} of ${identities.length} people have`;
  return (
    <div className="notice row wrap spread span-all" data-testid="model-coverage">
      <span>
        {who} {missing === identities.length && missing > 1 ? 'a' : 'no'} {model.name} template, so Unlock and Identify
        cannot recognise them: templates made by another model are never compared. Re-embed them from their stored
        thumbnails, or pick another model in <a href="#/settings">Settings</a>.
      </span>
      <button className="btn small" onClick={() => void reembedAll()} disabled={busy} data-testid="reembed-all">
        Re-embed all
      </button>
    </div>
  );
}
