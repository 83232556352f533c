import { useShallow } from 'zustand/react/shallow';
import { usePwa } from '../../state/pwa';

export function UpdateBanner() {
  const { needRefresh, offlineNotice, update, dismissUpdate, dismissOfflineNotice } = usePwa(
    useShallow((s) => ({
      needRefresh: s.needRefresh,
      offlineNotice: s.offlineNotice,
      update: s.update,
      dismissUpdate: s.dismissUpdate,
      dismissOfflineNotice: s.dismissOfflineNotice,
    })),
  );
  if (needRefresh) {
    return (
      <div className="banner" role="status" data-testid="update-banner">
        <span>A new version of Facet is available.</span>
        <button className="btn primary" onClick={() => void update()}>
          Reload to update
        </button>
        <button className="btn ghost" onClick={dismissUpdate}>
          Later
        </button>
      </div>
    );
  }
  if (offlineNotice) {
    return (
      <div className="banner subtle" role="status" data-testid="offline-ready">
        <span>Facet is installed for offline use: the app and its face models now work without a network.</span>
        <button className="btn ghost" onClick={dismissOfflineNotice} aria-label="Dismiss">
          ✕
        </button>
      </div>
    );
  }
  return null;
}
