import { useShallow } from 'zustand/react/shallow';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { useCamera } from '../../state/camera';
import { useImageSource } from '../../state/source';
import { ImagePicker } from './ImagePicker';
import { BitmapView } from './BitmapView';
import { plainCameraLabel } from '../camera-label';
import { CameraSelects } from './CameraSelects';

interface Props {
  /** Controls shown while the camera is on, given the live video element. */
  actions?: (video: HTMLVideoElement | null) => ReactNode;
  imageActions?: (bitmap: ImageBitmap) => ReactNode;
}

/** Live camera with device and resolution pickers, and an image file as the fall-back. */
export function CameraPanel({ actions, imageActions }: Props) {
  const { status, stream, error, actual, start, stop } = useCamera(
    useShallow((s) => ({
      status: s.status,
      stream: s.stream,
      error: s.error,
      actual: s.actual,
      start: s.start,
      stop: s.stop,
    })),
  );
  const image = useImageSource();
  const [video, setVideo] = useState<HTMLVideoElement | null>(null);

  // The camera is released when the page that showed it goes away.
  useEffect(() => () => useCamera.getState().stop(), []);

  const restartIfOn = () => {
    if (useCamera.getState().status === 'on') void start();
  };

  return (
    <div className="camera-panel" data-testid="camera-panel">
      <div className="row wrap">
        <CameraSelects onChange={restartIfOn} />
        {status === 'on' ? (
          <button className="btn" onClick={stop}>
            Stop camera
          </button>
        ) : (
          <button className="btn primary" onClick={() => void start()} disabled={status === 'starting'}>
            {status === 'starting' ? 'Starting…' : 'Start camera'}
          </button>
        )}
      </div>

      <div className={`viewport ${status === 'on' ? 'live' : image.image ? '' : 'empty'}`}>
        <LiveVideo stream={stream} onElement={setVideo} hidden={status !== 'on'} />
        {status !== 'on' && image.image && <BitmapView bitmap={image.image.bitmap} label={image.image.name} />}
        {status !== 'on' && !image.image && (
          <p className="muted center">{status === 'starting' ? 'Waiting for the camera…' : 'Camera is off.'}</p>
        )}
      </div>
      {status === 'on' && actual && video && (
        <p className="muted small" data-testid="camera-actual">
          {plainCameraLabel(actual.label, actual.facing)} · {actual.width}×{actual.height}
        </p>
      )}

      {error && (
        <div className="alert" role="alert" data-testid="camera-error" data-kind={error.kind}>
          {error.message}
          {imageActions && ' You can choose an image file instead.'}
        </div>
      )}
      {imageActions && (status === 'error' || status === 'off') && (
        <ImagePicker label="Use an image instead" onFile={(f) => void image.openImage(f)} compact />
      )}
      {image.notice && (
        <p className="notice" role="status" data-testid="image-notice">
          {image.notice}
        </p>
      )}
      {image.error && (
        <div className="alert" role="alert" data-testid="image-error">
          {image.error}
        </div>
      )}
      <div className="row wrap">
        {status === 'on' && video && actions?.(video)}
        {status !== 'on' && image.image && imageActions?.(image.image.bitmap)}
      </div>
    </div>
  );
}

/** The camera's video, handed to `onElement` once it has a frame to give. */
export function LiveVideo({
  stream,
  onElement,
  hidden,
}: {
  stream: MediaStream | null;
  onElement: (v: HTMLVideoElement | null) => void;
  hidden: boolean;
}) {
  const ref = useRef<HTMLVideoElement>(null);
  useEffect(() => {
    const v = ref.current;
    if (!v) return;
    v.srcObject = stream;
    // Controls get the element only once it has a frame to give.
    const ready = () => onElement(stream ? v : null);
    onElement(null);
    if (v.readyState >= HTMLMediaElement.HAVE_CURRENT_DATA) ready();
    else v.addEventListener('loadeddata', ready, { once: true });
    return () => v.removeEventListener('loadeddata', ready);
  }, [stream, onElement]);
  return <video ref={ref} autoPlay playsInline muted data-testid="camera-video" hidden={hidden} />;
}
