// Reads one value out of a results file by a path such as
// `metrics.rates[rate=100].p95_ms`, `metrics.sweep[2].recall` or
// `metrics.rows[mode=pipeline,offered_tps=2500].cpu_cores.fraud-scorer`.
// A selector `[k=v,...]` picks the one array element whose fields match; a key
// that holds a dot is quoted: `phases_median_ms.all."owner.append"`.
// One syntax for every reader (the docs check's `<!-- fig: FILE#PATH -->`
// markers, the capacity model's sources), so a source one prints can be
// pasted into a marker as it is.

export class PathError extends Error {}

type Json = unknown;

const SEGMENT = /^(?:"([^"]+)"|([^.[\]"]+))?((?:\[[^\]]+\])*)$/;

function splitPath(path: string): string[] {
  // Dots inside a selector's value (`[ef=1.5]`) or a quoted key must not split the path.
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const char of path) {
    if (char === '"') quoted = !quoted;
    if (char === '[') depth += 1;
    if (char === ']') depth -= 1;
    if (char === '.' && depth === 0 && !quoted) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function select(array: Json[], selector: string, path: string): Json {
  if (/^\d+$/.test(selector)) {
    const index = Number(selector);
    if (index >= array.length)
      throw new PathError(`${path}: index ${index} past the array's ${array.length}`);
    return array[index];
  }
  const wanted = selector.split(',').map((pair) => {
    const [key, value] = pair.split('=');
    if (key === undefined || value === undefined)
      throw new PathError(`${path}: selector [${selector}] is not k=v`);
    return [key.trim(), value.trim()] as const;
  });
  const matches = array.filter(
    (item) =>
      typeof item === 'object' &&
      item !== null &&
      wanted.every(([key, value]) => String((item as Record<string, Json>)[key]) === value),
  );
  if (matches.length !== 1)
    throw new PathError(`${path}: [${selector}] matches ${matches.length} elements, not one`);
  return matches[0];
}

export function valueAt(root: Json, path: string): Json {
  let node = root;
  for (const part of splitPath(path)) {
    const match = SEGMENT.exec(part);
    if (!match) throw new PathError(`${path}: cannot read segment "${part}"`);
    const [, quotedKey, plainKey, selectors] = match;
    const key = quotedKey ?? plainKey;
    if (key !== undefined) {
      if (typeof node !== 'object' || node === null || !(key in node))
        throw new PathError(`${path}: no "${key}" here`);
      node = (node as Record<string, Json>)[key];
    }
    for (const selector of (selectors ?? '').match(/\[[^\]]+\]/g) ?? []) {
      if (!Array.isArray(node)) throw new PathError(`${path}: ${selector} applied to a non-array`);
      node = select(node, selector.slice(1, -1), path);
    }
  }
  return node;
}
