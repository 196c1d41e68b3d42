// The app's version, from server/package.json (recorded in backups).
import fs from 'node:fs';

export const appVersion: string = (JSON.parse(fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }).version;
