import { fraud } from '@mlsys/datagen';
import type { PresetWorld } from './domain/fraud-presets.js';

/** The fraud simulator's world as the presets use it: its cards, and its terminals by channel. */
export function presetWorld(profile: fraud.FraudProfile): PresetWorld {
  const world = fraud.buildWorld(profile);
  const terminals = (channel: 'pos' | 'ecom') =>
    world.terminals
      .filter((t) => t.channel === channel)
      .map((t) => ({ id: t.id, merchantCategory: t.merchantCategory }));
  return {
    cards: world.customers.map((c) => c.id),
    posTerminals: terminals('pos'),
    ecomTerminals: terminals('ecom'),
  };
}

/** Up to `count` listeners spread over the data set (the first ones are the heaviest under the Zipf mix). */
export function sampleUsers<T>(users: readonly T[], count: number): T[] {
  if (users.length <= count) return [...users];
  const half = Math.floor(count / 2);
  const step = (users.length - half) / (count - half);
  return [
    ...users.slice(0, half),
    ...Array.from({ length: count - half }, (_, i) => users[half + Math.floor(i * step)]!),
  ];
}
