/**
 * A camera's name as a person reads it. Browsers pass on what the system calls the device, which on
 * Linux can be a device path ("/dev/video0"), a driver name with USB ids ("HD Webcam (0c45:6366)")
 * or, for Chromium's test camera, "fake_device_0": paths, ids and test names are dropped, and a
 * camera with nothing left is named by the way it faces.
 */
export function plainCameraLabel(label: string, facing?: string, index?: number): string {
  const cleaned = label
    .replace(/(^|\s|\(|:)[^\s():]*\/[^\s()]*/g, '$1') // file and device paths, absolute or not
    .replace(/\(\s*[0-9a-f]{4}:[0-9a-f]{4}\s*\)/gi, '') // USB vendor:product
    .replace(/\bfake_device_\d+\b/gi, '')
    .replace(/\(\s*\)/g, '')
    .replace(/\s{2,}/g, ' ')
    .replace(/^[\s:,-]+|[\s:,-]+$/g, '');
  if (cleaned) return cleaned;
  if (facing === 'user') return 'Front camera';
  if (facing === 'environment') return 'Back camera';
  return index === undefined ? 'Camera' : `Camera ${index + 1}`;
}
