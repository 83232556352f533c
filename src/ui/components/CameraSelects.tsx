// The camera and resolution pickers, as two labelled fields; the choice is a setting, kept for
// the next start. `onChange` runs after either changes (the camera panel restarts a live camera).
import { useEffect } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { RESOLUTIONS } from '../../ml/runtime/camera';
import { useCamera } from '../../state/camera';
import { useSettings } from '../../state/settings';
import { plainCameraLabel } from '../camera-label';

export function CameraSelects({ onChange }: { onChange?: () => void }) {
  const devices = useCamera((s) => s.devices);
  const refreshDevices = useCamera((s) => s.refreshDevices);
  const { cameraId, resolution, setCamera, setResolution } = useSettings(
    useShallow((s) => ({
      cameraId: s.cameraId,
      resolution: s.resolution,
      setCamera: s.setCamera,
      setResolution: s.setResolution,
    })),
  );
  useEffect(() => {
    void refreshDevices();
  }, [refreshDevices]);
  return (
    <>
      <label className="field">
        <span>Camera</span>
        <select
          value={cameraId ?? ''}
          onChange={(e) => {
            setCamera(e.target.value || null);
            onChange?.();
          }}
        >
          <option value="">Default camera</option>
          {devices.map((d, i) => (
            <option key={d.deviceId} value={d.deviceId}>
              {plainCameraLabel(d.label, undefined, i)}
            </option>
          ))}
        </select>
      </label>
      <label className="field">
        <span>Resolution</span>
        <select
          value={resolution}
          onChange={(e) => {
            setResolution(Number(e.target.value));
            onChange?.();
          }}
        >
          {RESOLUTIONS.map((r, i) => (
            <option key={r.label} value={i}>
              {r.label}
            </option>
          ))}
        </select>
      </label>
    </>
  );
}
