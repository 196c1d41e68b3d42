// File names we write into archives (zip downloads, account exports): no path separators, no
// characters file systems refuse, no control characters, no leading dots, bounded length.
// eslint-disable-next-line no-control-regex -- control characters are exactly what must go
const UNSAFE = /[\\/:*?"<>|\u0000-\u001f]/g;

export function safeFileName(s: string, fallback = 'file'): string {
  return s.replace(UNSAFE, '_').replace(/^\.+/, '_').slice(0, 120) || fallback;
}
