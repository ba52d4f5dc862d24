// `npm run estimate -- --design fraud --tps 10000 [--peak 3] [--entities 5M]`
// `npm run estimate -- --design recs --users 100M --songs 50M [--rps 20000] [--peak 1]`
// Common: [--utilisation 0.6] [--json]. Prints the one-page sheet (or its JSON).
import { parseCli, USAGE, UsageError } from './args.js';
import { estimate } from './estimate.js';
import { REPO_ROOT } from './paths.js';
import { Results } from './results.js';
import { renderSheet, sheetJson } from './sheet.js';

function main(argv: string[]): number {
  let options: ReturnType<typeof parseCli>;
  try {
    options = parseCli(argv);
  } catch (error) {
    if (error instanceof UsageError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`✖ ${(error as Error).message}\n\n${USAGE}`);
      return 2;
    }
    throw error;
  }
  if (options.help || options.design === undefined) {
    console.log(USAGE);
    return 0;
  }
  const sheet = estimate(Results.load(REPO_ROOT), options);
  console.log(options.json ? JSON.stringify(sheetJson(sheet), null, 2) : renderSheet(sheet));
  return 0;
}

// A reader that stops early (`| head`) is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code === 'EPIPE') process.exit(0);
  throw error;
});
process.exitCode = main(process.argv.slice(2));
