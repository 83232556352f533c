// Webcam access: open a stream on a chosen device at a chosen resolution, and turn each way
// getUserMedia can fail into its own plain-language message with a next step.

export type CameraErrorKind = 'denied' | 'no-camera' | 'in-use' | 'unsupported' | 'insecure' | 'unknown';

export class CameraError extends Error {
  constructor(
    readonly kind: CameraErrorKind,
    message: string,
  ) {
    super(message);
    this.name = 'CameraError';
  }
}

/** Maps a getUserMedia failure (a DOMException name) to a CameraError. */
export function cameraErrorFrom(error: unknown): CameraError {
  if (error instanceof CameraError) return error;
  const name = (error as { name?: string } | null)?.name ?? '';
  switch (name) {
    case 'NotAllowedError':
    case 'PermissionDeniedError':
    case 'SecurityError':
      return new CameraError(
        'denied',
        `Camera access was denied. Allow the camera for this site in the browser's address bar (site settings), then try again.`,
      );
    case 'NotFoundError':
    case 'DevicesNotFoundError':
    case 'OverconstrainedError':
      return new CameraError('no-camera', `No camera was found on this device. Connect a webcam and try again.`);
    case 'NotReadableError':
    case 'TrackStartError':
    case 'AbortError':
      return new CameraError(
        'in-use',
        `The camera is in use by another application or tab, or the system blocked it. Close the other app using the camera and try again.`,
      );
    default:
      return new CameraError(
        'unknown',
        `The camera could not be started (${(error as Error | null)?.message || name || 'unknown error'}). Reload the page and try again.`,
      );
  }
}

export interface CameraDevice {
  deviceId: string;
  label: string;
}

export interface CameraRequest {
  deviceId?: string | null;
  width: number;
  height: number;
}

export const RESOLUTIONS = [
  { label: '640 × 480', width: 640, height: 480 },
  { label: '1280 × 720', width: 1280, height: 720 },
  { label: '1920 × 1080', width: 1920, height: 1080 },
] as const;

function mediaDevices(): MediaDevices {
  if (typeof window !== 'undefined' && !window.isSecureContext) {
    throw new CameraError('insecure', `The camera needs a secure page (https or localhost).`);
  }
  if (!navigator.mediaDevices?.getUserMedia) {
    throw new CameraError('unsupported', `This browser does not offer camera access.`);
  }
  return navigator.mediaDevices;
}

export async function openCamera(req: CameraRequest): Promise<MediaStream> {
  const devices = mediaDevices();
  const video: MediaTrackConstraints = {
    width: { ideal: req.width },
    height: { ideal: req.height },
    ...(req.deviceId ? { deviceId: { exact: req.deviceId } } : { facingMode: 'user' }),
  };
  try {
    return await devices.getUserMedia({ video, audio: false });
  } catch (e) {
    throw cameraErrorFrom(e);
  }
}

/** Lists video inputs. Labels are empty until the user has granted access once. */
export async function listCameras(): Promise<CameraDevice[]> {
  const all = await mediaDevices().enumerateDevices();
  return all
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

export function stopStream(stream: MediaStream | null | undefined): void {
  stream?.getTracks().forEach((t) => t.stop());
}
