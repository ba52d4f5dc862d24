// One pass-through hop of the fraud stream bench as a process of its own (the bench spawns
// two, in place of the pipeline's two services):
// `main.ts <plain|eos> <brokers> <from topic> <to topic> <group id>`. Says `ready` on stdout
// once it consumes; SIGTERM stops it.
import { startHop } from './hop.js';

const [delivery, brokers, from, to, groupId] = process.argv.slice(2);
if ((delivery !== 'plain' && delivery !== 'eos') || !brokers || !from || !to || !groupId) {
  console.error(
    `usage: main.ts <plain|eos> <brokers> <from topic> <to topic> <group id>, got ${process.argv.slice(2).join(' ')}`,
  );
  process.exit(2);
}
const stop = await startHop({
  delivery,
  brokers: brokers.split(','),
  from,
  to,
  groupId,
  onReady: () => console.log('ready'),
});
process.once('SIGTERM', async () => {
  await stop();
  process.exit(0);
});
