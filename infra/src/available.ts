import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { availableServices, type ServiceSpec } from './manifest.js';
import { ROOT } from './paths.js';

/** Manifest services that exist in this checkout (their package.json is there). */
export const servicesInCheckout = (): ServiceSpec[] =>
  availableServices((dir) => existsSync(join(ROOT, dir, 'package.json')));
