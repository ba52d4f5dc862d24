#!/usr/bin/env node
// The one entry point behind every root npm script. It must run before any
// dependency is installed, so it uses nothing but Node's standard library:
// it brings in the pinned pnpm, installs the workspace when the lockfile or
// a package.json changed, then hands the command to the TypeScript CLI in
// infra/ (run through tsx so that no build is needed to provision).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const cacheDir = join(root, '.cache');
const toolsDir = join(cacheDir, 'tools');
const PNPM_VERSION = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).packageManager.split(
  '@',
)[1];

function fail(message) {
  console.error(`\n✖ ${message}`);
  process.exit(1);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.error) fail(`could not run ${command}: ${result.error.message}`);
  return result.status ?? 1;
}

function checkNode() {
  const [major, minor] = process.versions.node.split('.').map(Number);
  if (major < 20 || (major === 20 && minor < 10)) {
    fail(
      `Node ${process.versions.node} is too old: this project needs Node 20.10 or newer (https://nodejs.org).`,
    );
  }
}

function ensurePnpm() {
  const bin = join(toolsDir, 'node_modules', '.bin', 'pnpm');
  const pkg = join(toolsDir, 'node_modules', 'pnpm', 'package.json');
  if (existsSync(pkg) && JSON.parse(readFileSync(pkg, 'utf8')).version === PNPM_VERSION) return bin;
  console.log(`▸ fetching pnpm ${PNPM_VERSION} into .cache/tools (once)`);
  mkdirSync(toolsDir, { recursive: true });
  const status = run('npm', [
    'install',
    '--prefix',
    toolsDir,
    '--no-save',
    '--no-audit',
    '--no-fund',
    '--loglevel=error',
    `pnpm@${PNPM_VERSION}`,
  ]);
  if (status !== 0)
    fail(`npm could not install pnpm@${PNPM_VERSION}; check that the npm registry is reachable.`);
  return bin;
}

function workspaceManifests() {
  const files = [join(root, 'package.json'), join(root, 'pnpm-workspace.yaml'), join(root, 'pnpm-lock.yaml')];
  for (const group of ['packages', 'services']) {
    const dir = join(root, group);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) files.push(join(dir, name, 'package.json'));
  }
  for (const dir of ['infra', 'load-tests', 'bench']) files.push(join(root, dir, 'package.json'));
  return files.filter((file) => existsSync(file));
}

function ensureInstalled(pnpm) {
  const hash = createHash('sha256');
  for (const file of workspaceManifests()) hash.update(file).update(readFileSync(file));
  const digest = hash.digest('hex');
  const stamp = join(cacheDir, 'install.sha256');
  const installed = existsSync(join(root, 'node_modules', '.modules.yaml'));
  if (installed && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) return;

  console.log('▸ installing workspace dependencies (pnpm install)');
  const env = {
    ...process.env,
    // onnxruntime-node's install script only fetches CUDA files; its CPU binaries ship in the package.
    ONNXRUNTIME_NODE_INSTALL: 'skip',
    ONNXRUNTIME_NODE_INSTALL_CUDA: 'skip',
  };
  // node-gyp (hnswlib-node) downloads Node's headers unless told where the local ones are.
  const headers = join(dirname(process.execPath), '..', 'include', 'node', 'node.h');
  if (existsSync(headers) && !env.npm_config_nodedir)
    env.npm_config_nodedir = join(dirname(process.execPath), '..');

  // pnpm itself switches to --frozen-lockfile when CI is set, so CI installs exactly the lock.
  const args = ['install', '--reporter=append-only'];
  if (run(pnpm, args, { env }) !== 0) {
    fail(
      'pnpm install failed (see above). If a native addon failed to build, install a C++ toolchain: apt-get install -y build-essential python3',
    );
  }
  mkdirSync(cacheDir, { recursive: true });
  writeFileSync(stamp, digest);
}

checkNode();
const [command = 'start', ...rest] = process.argv.slice(2);
const pnpm = ensurePnpm();
ensureInstalled(pnpm);
// turbo looks pnpm up on PATH (from "packageManager"); its telemetry is opt-out.
process.env.PATH = `${dirname(pnpm)}:${process.env.PATH ?? ''}`;
process.env.TURBO_TELEMETRY_DISABLED = '1';

// Ctrl-C reaches the whole foreground process group: let the child (the CLI)
// handle it and stop the stack in order, and exit with its status afterwards.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => {});

const bin = (name) => join(root, 'node_modules', '.bin', name);
/** A TypeScript entry from source, with tsx as a loader inside one node process (not the tsx CLI, which adds a process that relays signals). */
const runTs = (entry, args) =>
  run(process.execPath, ['--conditions=@mlsys/source', '--import', 'tsx', join(root, entry), ...args]);
/**
 * Commands that start no servers of their own, so they skip the infra CLI: `estimate` is pure
 * arithmetic over the committed results files; `traffic` (demo traffic) and `drill` (what-if
 * drills, load-tests/src/drills) work against a running stack.
 */
const TS_COMMANDS = {
  estimate: join('packages', 'capacity', 'src', 'cli.ts'),
  traffic: join('services', 'console', 'src', 'traffic-main.ts'),
  drill: join('load-tests', 'src', 'drills', 'cli.ts'),
};
let status;
if (command === 'turbo') {
  status = run(bin('turbo'), rest);
} else if (command === 'lint') {
  status = run(bin('biome'), ['check', '.', ...rest]);
} else if (command === 'format') {
  status = run(bin('biome'), ['check', '--write', '.', ...rest]);
} else if (Object.hasOwn(TS_COMMANDS, command)) {
  status = runTs(TS_COMMANDS[command], rest);
} else {
  status = runTs(join('infra', 'src', 'cli.ts'), [command, ...rest]);
}
process.exit(status);
