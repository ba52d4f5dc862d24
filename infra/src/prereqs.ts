import { spawnSync } from 'node:child_process';
import { UserFacingError } from './ui.js';

/** Output of `command args` (stdout and stderr together), or undefined when it cannot run. */
export function probe(command: string, args: string[]): string | undefined {
  // java -version writes to stderr, so both streams are read.
  const result = spawnSync(command, args, {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 20_000,
  });
  if (result.error) return undefined;
  return `${result.stdout ?? ''}${result.stderr ?? ''}`;
}

export interface Tool {
  /** What the user sees in the error. */
  name: string;
  command: string;
  args: string[];
  /** Extracts the major (and minor) version from the output. */
  version: RegExp;
  minimum: [number, number];
  install: string;
}

export const TOOLS = {
  java: {
    name: 'Java 17 or newer',
    command: 'java',
    args: ['-version'],
    version: /version "(\d+)(?:\.(\d+))?/,
    minimum: [17, 0],
    install: 'apt-get install -y openjdk-17-jre-headless',
  },
  maven: {
    name: 'Maven 3.6 or newer',
    command: 'mvn',
    args: ['-v'],
    version: /Apache Maven (\d+)\.(\d+)/,
    minimum: [3, 6],
    install: 'apt-get install -y maven',
  },
  python: {
    name: 'Python 3.10 or newer',
    command: 'python3',
    args: ['--version'],
    version: /Python (\d+)\.(\d+)/,
    minimum: [3, 10],
    install: 'apt-get install -y python3 python3-venv',
  },
} satisfies Record<string, Tool>;

/** Checks a tool is on PATH and new enough; throws one line saying what to install otherwise. */
export function requireTool(tool: Tool): string {
  const output = probe(tool.command, tool.args);
  if (output === undefined) {
    throw new UserFacingError(
      `${tool.name} is required but \`${tool.command}\` is not on PATH. Install it: ${tool.install}`,
    );
  }
  const match = tool.version.exec(output);
  const major = Number(match?.[1] ?? 0);
  const minor = Number(match?.[2] ?? 0);
  const [needMajor, needMinor] = tool.minimum;
  if (!match || major < needMajor || (major === needMajor && minor < needMinor)) {
    throw new UserFacingError(
      `${tool.name} is required but \`${tool.command}\` reports "${output.split('\n')[0]?.trim()}". Install it: ${tool.install}`,
    );
  }
  return `${major}.${minor}`;
}
