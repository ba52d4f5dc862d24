import { execFileSync } from 'node:child_process';
import { probe } from './prereqs.js';
import { aptInstall, canUseApt } from './redis-server.js';
import { UserFacingError } from './ui.js';

/** A server program taken from the system, installed from a Debian package when missing. */
export interface AptProgram {
  command: string;
  versionArgs: string[];
  aptPackage: string;
  /** The init service the package starts on install, stopped again: ours run on their own ports. */
  service: string;
  /** What needs it, for the error message. */
  neededFor: string;
}

/** The program's command, installing its package with apt when missing and this process may. */
export async function ensureAptProgram(program: AptProgram): Promise<string> {
  const hint = `Install it: apt-get install -y ${program.aptPackage}`;
  if (probe(program.command, program.versionArgs) !== undefined) return program.command;
  if (!canUseApt())
    throw new UserFacingError(
      `${program.neededFor} needs \`${program.command}\`, which is not on PATH. ${hint}`,
    );
  console.log(`  ${program.command} is missing; installing ${program.aptPackage} with apt-get`);
  await aptInstall([program.aptPackage]);
  if (probe(program.command, program.versionArgs) === undefined)
    throw new UserFacingError(
      `apt-get installed ${program.aptPackage} but \`${program.command}\` is still not on PATH. ${hint}`,
    );
  try {
    execFileSync('service', [program.service, 'stop'], { stdio: 'ignore' });
  } catch {
    /* no init system here: nothing was started */
  }
  return program.command;
}
