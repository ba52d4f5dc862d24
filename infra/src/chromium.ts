import { existsSync } from 'node:fs';
import { probe } from './prereqs.js';
import { aptInstall, canUseApt } from './redis-server.js';
import { warn } from './ui.js';

const INSTALL_HINT = 'apt-get install -y chromium';
const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser'];

const found = (): string | undefined =>
  CANDIDATES.find((path) => existsSync(path) && probe(path, ['--version']) !== undefined);

/**
 * The Chromium the console's browser test drives (services/console,
 * playwright-core with this executable; no browser is ever downloaded):
 * Debian's `chromium`, installed with apt like redis-server when missing and
 * this process may. Where it cannot be installed, a warning names the
 * command, and the browser test fails saying the same.
 */
export async function ensureChromium(): Promise<string | undefined> {
  const present = found();
  if (present) return present;
  if (!canUseApt()) {
    warn(`Chromium is missing, so the console's browser test will fail. Install it: ${INSTALL_HINT}`);
    return undefined;
  }
  console.log('  chromium is missing (the console browser test needs it); installing it with apt-get');
  try {
    await aptInstall(['chromium']);
  } catch (error) {
    warn(`apt-get could not install chromium (${(error as Error).message}); ${INSTALL_HINT}`);
  }
  return found();
}
