/** A person-readable name for the browser and device behind a user agent ("Mobile Safari 17 on iOS 17.4 (Apple iPhone)"). */
import { UAParser } from 'ua-parser-js';

export interface DeviceDescription {
  browser?: string;
  os?: string;
  device?: string;
  label: string;
}

const join = (...parts: Array<string | undefined>) => parts.filter(Boolean).join(' ') || undefined;

export function describeUserAgent(userAgent: string | undefined): DeviceDescription {
  if (!userAgent) return { label: 'Unknown browser' };
  const parsed = UAParser(userAgent);
  const browser = join(parsed.browser.name, parsed.browser.major);
  const os = join(parsed.os.name, parsed.os.version);
  const device = join(parsed.device.vendor, parsed.device.model);
  const label = `${browser ?? 'Unknown browser'} on ${os ?? 'an unknown system'}${device ? ` (${device})` : ''}`;
  return { label, ...(browser ? { browser } : {}), ...(os ? { os } : {}), ...(device ? { device } : {}) };
}
