// The CLI behind the root npm scripts (scripts/bootstrap.mjs hands over here
// once dependencies are installed): start, test, infra, prepare, bench, load.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { prepareArtifacts } from './artifacts.js';
import { servicesInCheckout } from './available.js';
import { runDocsCheck } from './commands/docs-check.js';
import { runStack } from './commands/start.js';
import { runTests } from './commands/test.js';
import { renderCompose } from './compose.js';
import { renderHaCompose } from './compose-ha.js';
import {
  type ArtifactSet,
  HA_INSTANCES,
  INFRA_PORTS,
  SERVICES,
  STACK_DATA_PROFILE,
  serviceByName,
  startOrder,
} from './manifest.js';
import { instanceName } from './manifest-ha.js';
import type { Profile } from './paths.js';
import { ROOT } from './paths.js';
import { runTs } from './run.js';
import { bringUpInfra, stopProfile } from './servers.js';
import { ok, UserFacingError } from './ui.js';

const USAGE = `usage:
  npm start [-- --data tiny|default] [--expose] [--profile stack|ha]
                                          run the whole stack (on 127.0.0.1; --expose: every interface;
                                          --profile ha: replicated servers, two instances behind HAProxy)
  npm test                                run every test against real Redis and Kafka
  npm run infra -- up|down [--profile stack|test|ha]
  npm run infra -- compose                regenerate docker-compose.yml and docker-compose.ha.yml from the manifest
  npm run infra -- prepare [--data P] [recs] [fraud]
  npm run bench -- <name>                 run a benchmark (bench/src/benches)
  npm run load -- <scenario> [flags]      run a load scenario (load-tests)
  npm run docs:check                      check every measured figure in Markdown against its results file`;

/** MLSYS_PORT_OFFSET shifts Redis and Kafka's ports, e.g. to run a second checkout's tests beside the first. */
function portOffset(): number {
  const raw = process.env.MLSYS_PORT_OFFSET ?? '0';
  const offset = Number.parseInt(raw, 10);
  if (!/^\d+$/.test(raw) || offset > 40_000)
    throw new UserFacingError(`MLSYS_PORT_OFFSET must be a whole number from 0 to 40000, got "${raw}"`);
  return offset;
}

const HELP = new Set(['-h', '--help', 'help']);

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  // `bench` and `load` have their own flags and help; the others answer --help here.
  if (command !== 'bench' && command !== 'load' && argv.some((arg) => HELP.has(arg))) {
    console.log(USAGE);
    return 0;
  }
  switch (command) {
    case 'start': {
      const { values } = parseArgs({
        args: rest,
        options: {
          data: { type: 'string', default: STACK_DATA_PROFILE },
          expose: { type: 'boolean', default: false },
          profile: { type: 'string', default: 'stack' },
        },
      });
      const profile = values.profile;
      if (profile !== 'stack' && profile !== 'ha')
        throw new UserFacingError(`npm start's --profile must be stack or ha, got ${profile}`);
      return runStack({
        profile,
        dataProfile: values.data!,
        portOffset: portOffset(),
        expose: values.expose!,
      });
    }
    case 'test':
      return runTests({ portOffset: portOffset() });
    case 'docs:check':
      return runDocsCheck();
    case 'infra':
      return infra(rest);
    case 'bench':
      return runTs('bench/src/run.ts', rest, { ...stackEndpoints(), ...process.env });
    case 'load':
      return runTs('load-tests/src/cli.ts', rest, { ...stackEndpoints(), ...process.env });
    default:
      console.error(USAGE);
      return 2;
  }
}

/** Where the load runner and benchmarks find the running stack, from the manifest (the environment wins). */
function stackEndpoints(): Record<string, string> {
  return {
    REC_API_URL: `http://127.0.0.1:${serviceByName('rec-api').port}`,
    TXN_API_URL: `http://127.0.0.1:${serviceByName('txn-api').port}`,
    KAFKA_BROKERS: `127.0.0.1:${INFRA_PORTS.stack.kafka}`,
    REDIS_URL: `redis://127.0.0.1:${INFRA_PORTS.stack.redis}`,
  };
}

async function infra(args: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      profile: { type: 'string', default: 'stack' },
      data: { type: 'string', default: STACK_DATA_PROFILE },
    },
  });
  const [action, ...targets] = positionals;
  const profile = values.profile as Profile;
  if (profile !== 'stack' && profile !== 'test' && profile !== 'ha')
    throw new UserFacingError(`--profile must be stack, test or ha, got ${profile}`);
  switch (action) {
    case 'up': {
      const running = await bringUpInfra(profile, {
        keepAfterExit: true,
        reuse: true,
        portOffset: portOffset(),
      });
      const ha = running.ha
        ? `, Sentinels ${running.ha.sentinels.join(',')} (primary "${running.ha.sentinelPrimaryName}"), HAProxy ${Object.entries(
            running.ha.apis,
          )
            .map(([name, url]) => `${name} ${url}`)
            .join(', ')}, stats ${running.ha.balancerUrl}/stats`
        : '';
      ok(
        `Redis ${running.redisUrl}, Kafka ${running.kafkaBrokers.join(',')}${ha} (stop with: npm run infra -- down --profile ${profile})`,
      );
      return 0;
    }
    case 'down': {
      const services = [...SERVICES].reverse();
      const names =
        profile === 'ha'
          ? services.flatMap((spec) => Array.from({ length: HA_INSTANCES }, (_, i) => instanceName(spec, i)))
          : services.map((s) => s.name);
      await stopProfile(profile, names);
      return 0;
    }
    case 'compose': {
      const services = startOrder(servicesInCheckout());
      writeFileSync(join(ROOT, 'docker-compose.yml'), renderCompose(services));
      writeFileSync(join(ROOT, 'docker-compose.ha.yml'), renderHaCompose(services));
      ok('wrote docker-compose.yml and docker-compose.ha.yml (the ha profile)');
      return 0;
    }
    case 'prepare': {
      const sets = (targets.length > 0 ? targets : ['recs', 'fraud']) as ArtifactSet[];
      await prepareArtifacts(sets, values.data!);
      return 0;
    }
    default:
      console.error(USAGE);
      return 2;
  }
}

/** A flag parseArgs does not know, or a value it cannot take: the user's typo, not a crash. */
function isUsageError(error: unknown): boolean {
  const code = (error as { code?: string }).code;
  return (
    code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ||
    code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' ||
    code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
  );
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (error) {
  if (error instanceof UserFacingError) {
    console.error(`\n✖ ${error.message}`);
  } else if (isUsageError(error)) {
    console.error(`\n✖ ${(error as Error).message}\n\n${USAGE}`);
    process.exitCode = 2;
  } else {
    console.error('\n✖', error);
  }
  process.exitCode ??= 1;
}
