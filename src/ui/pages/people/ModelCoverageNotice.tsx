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
        ? 'The one person in the gallery was'
        : `All ${missing} people in the gallery were`
      : `${missing} of ${identities.length} people were`;
  return (
    <div className="notice row wrap spread span-all" data-testid="model-coverage">
      <span>
        {who} enrolled with another face model than {model.name}, so Unlock and Identify cannot recognise them yet.{' '}
        <span
          title={`Each person's stored face thumbnails are embedded again with ${model.name}; templates of different models are never compared.`}
        >
          Facet can read their stored photos again with {model.name}
        </span>
        , or pick another model in <a href="#/settings">Settings</a>.
      </span>
      <button className="btn small" onClick={() => void reembedAll()} disabled={busy} data-testid="reembed-all">
        Update everyone
      </button>
    </div>
  );
}
