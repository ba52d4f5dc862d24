/**
 * A payment's feature vector (in the order of the feature spec) as the
 * explorer shows it: windowed aggregates as a table, one row per entity and
 * aggregate (`card_nb_tx`) and one column per window (`1h` ... `30d`);
 * every other feature in a list, grouped by entity.
 */

export interface FeatureTable {
  windows: string[];
  rows: Array<{ entity: string; aggregate: string; values: Record<string, number> }>;
  others: Array<{ entity: string; name: string; value: number }>;
}

const WINDOWED = /^(card|terminal|device|ip)_(.+)_(\d+[hd])$/;
const ENTITY = /^(card|terminal|device|ip)_/;

export function groupFeatures(names: readonly string[], values: readonly number[]): FeatureTable {
  const windows: string[] = [];
  const rows = new Map<string, FeatureTable['rows'][number]>();
  const others: FeatureTable['others'] = [];
  names.forEach((name, i) => {
    const value = values[i] ?? Number.NaN;
    const windowed = WINDOWED.exec(name);
    // A windowed name whose stem also exists for other windows is an aggregate; `known_frauds_7d` is too.
    if (windowed) {
      const [, entity, aggregate, window] = windowed as unknown as [string, string, string, string];
      if (!windows.includes(window)) windows.push(window);
      const key = `${entity}_${aggregate}`;
      let row = rows.get(key);
      if (!row) {
        row = { entity, aggregate, values: {} };
        rows.set(key, row);
      }
      row.values[window] = value;
      return;
    }
    others.push({ entity: ENTITY.exec(name)?.[1] ?? 'payment', name, value });
  });
  const toMs = (w: string) => Number.parseInt(w, 10) * (w.endsWith('d') ? 24 : 1);
  windows.sort((a, b) => toMs(a) - toMs(b));
  return { windows, rows: [...rows.values()], others };
}
