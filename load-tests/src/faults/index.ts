// The faults as a library: the described list (the console's buttons) and the kill step it shares with the load runner.
export * from './catalog.js';
export {
  KILLABLE_SERVICES,
  type KillableService,
  KillRefused,
  killService,
  type StackLayout,
  systemProcessControl,
} from './kill-service.js';
