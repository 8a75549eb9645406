// QR codes: drawing one on a canvas (qrcode from npm) and reading one from an
// image or a video frame (the BarcodeDetector API where the browser has it, else jsQR).
import QRCode from 'qrcode';

// Draws `text` on `canvas`; level M for short texts, L when the text is long.
export async function drawQr(canvas, text, { size = 280 } = {}) {
  const level = text.length > 1200 ? 'L' : 'M';
  await QRCode.toCanvas(canvas, text, { errorCorrectionLevel: level, margin: 4, width: size, color: { dark: '#000000', light: '#ffffff' } });
  return level;
}

let detector;
async function barcodeDetector() {
  if (detector !== undefined) return detector;
  detector = null;
  try {
    if ('BarcodeDetector' in globalThis) {
      const formats = await globalThis.BarcodeDetector.getSupportedFormats();
      if (formats.includes('qr_code')) detector = new globalThis.BarcodeDetector({ formats: ['qr_code'] });
    }
  } catch {
    detector = null;
  }
  return detector;
}

// The text of a QR code in `source` (an ImageBitmap, <video>, <img> or <canvas>), or ''.
export async function readQr(source, width, height) {
  const d = await barcodeDetector();
  if (d) {
    try {
      const found = await d.detect(source);
      if (found.length > 0) return found[0].rawValue;
    } catch {
      // Fall through to jsQR.
    }
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  ctx.drawImage(source, 0, 0, width, height);
  const image = ctx.getImageData(0, 0, width, height);
  const { default: jsQR } = await import('jsqr');
  const code = jsQR(image.data, width, height, { inversionAttempts: 'attemptBoth' });
  return code ? code.data : '';
}

export async function readQrFromFile(file) {
  const bitmap = await createImageBitmap(file);
  try {
    return await readQr(bitmap, bitmap.width, bitmap.height);
  } finally {
    bitmap.close?.();
  }
}

// Starts the camera in `video` and calls onText(text) for the first QR code seen.
// Returns stop(). Throws when there is no camera or permission is refused.
export async function scanWithCamera(video, onText) {
  if (!navigator.mediaDevices?.getUserMedia) throw Object.assign(new Error('no camera API'), { code: 'NO_CAMERA' });
  const stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
  video.srcObject = stream;
  video.setAttribute('playsinline', '');
  await video.play();
  let stopped = false;
  const stop = () => {
    stopped = true;
    for (const track of stream.getTracks()) track.stop();
    video.srcObject = null;
  };
  const tick = async () => {
    if (stopped) return;
    if (video.readyState >= 2 && video.videoWidth > 0) {
      const scale = Math.min(1, 640 / video.videoWidth);
      const text = await readQr(video, Math.round(video.videoWidth * scale), Math.round(video.videoHeight * scale));
      if (text && !stopped) {
        stop();
        onText(text);
        return;
      }
    }
    setTimeout(tick, 200);
  };
  tick();
  return stop;
}
