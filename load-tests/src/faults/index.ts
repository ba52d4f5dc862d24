// The faults as a library: the described list (the console's buttons), the kill step it shares
// with the load runner, and the throttle that slows one stage down.
export * from './catalog.js';
export {
  KILLABLE_SERVICES,
  type KillableService,
  KillRefused,
  killService,
  type ProcessControl,
  type StackLayout,
  systemProcessControl,
} from './kill-service.js';
export {
  type RunningThrottle,
  THROTTLABLE_SERVICES,
  THROTTLE_CYCLE,
  type ThrottlableService,
  type ThrottlePlan,
  throttleFaultId,
  throttleService,
} from './throttle-service.js';
