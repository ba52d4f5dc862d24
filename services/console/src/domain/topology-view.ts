import { type BoxNumbers, type BoxStatus, boxNumbers, type Histories } from './box-stats.js';
import type { LagHistory, LagView } from './kafka-lag.js';
import type { DesignDrawing } from './topology.js';

export interface KafkaNumbers {
  id: string;
  status: BoxStatus;
  reasons: string[];
  groups: LagView[];
}

export interface TopologyView {
  at: number;
  windowSeconds: number;
  designs: Array<{
    design: DesignDrawing['design'];
    boxes: Array<BoxNumbers | KafkaNumbers>;
  }>;
}

/**
 * The Kafka box: down when the admin client cannot read the offsets;
 * degraded when a group is `lagAlertRecords` or more behind and its lag
 * grew over the window (it is falling behind, not catching up).
 */
export function kafkaNumbers(id: string, lag: LagHistory, lagAlertRecords: number): KafkaNumbers {
  const groups = lag.view();
  if (lag.up === undefined) return { id, status: 'unknown', reasons: [], groups };
  if (!lag.up) return { id, status: 'down', reasons: [`Kafka does not answer: ${lag.error}`], groups };
  const behind = groups.filter((g) => g.lag >= lagAlertRecords && g.growth > 0);
  return {
    id,
    status: behind.length > 0 ? 'degraded' : 'ok',
    reasons: behind.map((g) => `${g.group} is ${g.lag} records behind on ${g.topic} and falling further`),
    groups,
  };
}

export function topologyView(
  drawings: readonly DesignDrawing[],
  histories: Histories,
  lag: LagHistory,
  options: { at: number; windowSeconds: number; lagAlertRecords: number },
): TopologyView {
  return {
    at: options.at,
    windowSeconds: options.windowSeconds,
    designs: drawings.map((drawing) => ({
      design: drawing.design,
      boxes: drawing.boxes.map((box) =>
        box.kind === 'kafka'
          ? kafkaNumbers(box.id, lag, options.lagAlertRecords)
          : boxNumbers(box, histories),
      ),
    })),
  };
}
