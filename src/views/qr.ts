/**
 * How a new TOTP secret is shown. The QR code is drawn here as SVG and inlined as a data: URI
 * (the CSP allows `img-src data:`): the secret never leaves the server for a QR service.
 * qrcode (~11 MiB resident with its PNG renderer) is imported by the first enrolment page.
 */
import { lazy } from '../platform/lazy.ts';

const loadQrcode = lazy(() => import('qrcode'));

export async function qrDataUri(text: string): Promise<string> {
  const { default: QRCode } = await loadQrcode();
  // Level M (15 % recovery) keeps a ~110-character otpauth URI at a size phones scan easily.
  const svg = await QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** "ABCD EFGH …": easier to type from the screen than 32 characters in a row. */
export function groupSecret(secret: string): string {
  return secret.replace(/(.{4})(?=.)/g, '$1 ');
}
