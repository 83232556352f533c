import { useEffect } from 'react';
import { useCamera } from '../../state/camera';
import { useGallery } from '../../state/gallery';
import { useUnlock } from '../../state/unlock';
import { UnlockOptions } from './UnlockOptions';
import { StatusCard } from './unlock/StatusCard';
import { UnlockView } from './unlock/UnlockView';

export function UnlockPage() {
  const open = useGallery((s) => s.open);
  const cameraOn = useCamera((s) => s.status === 'on');
  const stop = useUnlock((s) => s.stop);
  useEffect(() => {
    void open();
  }, [open]);
  useEffect(() => {
    if (!cameraOn) stop();
  }, [cameraOn, stop]);
  useEffect(
    () => () => {
      useUnlock.getState().stop();
      // The camera is released when the page goes away.
      useCamera.getState().stop();
    },
    [],
  );
  return (
    <div className="grid two unlock-page">
      <UnlockView />
      <div className="stack">
        <StatusCard />
        <UnlockOptions />
      </div>
    </div>
  );
}
