// Names a session's device from its User-Agent ("Chrome on Android") with bowser, a maintained,
// MIT-licensed parser (docs/architecture.md says why this one). Pure.
import Bowser from 'bowser';

type DeviceType = 'desktop' | 'mobile' | 'tablet' | 'tv' | 'bot';

export interface DeviceDescription {
  /** e.g. "Chrome on Android", "Safari on iOS", "curl", "Unknown device" */
  label: string;
  browser: string | null;
  browserVersion: string | null;
  os: string | null;
  type: DeviceType | null;
}

const types = new Set<string>(['desktop', 'mobile', 'tablet', 'tv', 'bot']);

export function describeDevice(userAgent: string | null): DeviceDescription {
  const ua = userAgent?.trim() ?? '';
  if (!ua) return { label: 'Unknown device', browser: null, browserVersion: null, os: null, type: null };
  let parsed: Bowser.Parser.ParsedResult;
  try {
    parsed = Bowser.parse(ua.slice(0, 1000));
  } catch {
    parsed = { browser: {}, os: {}, platform: {}, engine: {} } as Bowser.Parser.ParsedResult;
  }
  const browser = parsed.browser.name || null;
  const os = parsed.os.name || null;
  const type = parsed.platform.type && types.has(parsed.platform.type) ? (parsed.platform.type as DeviceType) : null;
  const major = parsed.browser.version?.split('.')[0] || null;
  if (browser) return { label: os ? `${browser} on ${os}` : browser, browser, browserVersion: major, os, type };
  // Not a browser: a script or tool names itself first ("curl/8.5.0", "python-requests/2.31").
  const product = /^([A-Za-z][\w.-]{0,40})(?:\/|\s|$)/.exec(ua)?.[1] ?? null;
  return { label: product ?? 'Unknown device', browser: null, browserVersion: null, os, type };
}
