// Reads one value out of a results file by a path in the docs check's syntax
// (infra/src/docs-check/json-path.ts): `metrics.rates[rate=100].p95_ms`,
// `metrics.sweep[2].recall`, `metrics.rows[mode=sync,rate=100].cpu_us_per_decision.txn-api`.
// A selector `[k=v,...]` picks the one array element whose fields match. The
// same syntax on both sides means every source this package prints can be
// pasted into a `<!-- fig: FILE#PATH -->` marker as it is. A second copy
// rather than an import: infra is the provisioning CLI and exports nothing.

/** Why a path did not lead to a value: the sheet prints it next to "not measured". */
export class PathError extends Error {}

function splitPath(path: string): string[] {
  // Dots inside a selector's value (`[ef=1.5]`) must not split the path.
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of path) {
    if (char === '[') depth += 1;
    if (char === ']') depth -= 1;
    if (char === '.' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += char;
  }
  parts.push(current);
  return parts;
}

function select(array: unknown[], selector: string, path: string): unknown {
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
      wanted.every(([key, value]) => String((item as Record<string, unknown>)[key]) === value),
  );
  if (matches.length !== 1)
    throw new PathError(`${path}: [${selector}] matches ${matches.length} elements, not one`);
  return matches[0];
}

const SEGMENT = /^([^.[\]]+)?((?:\[[^\]]+\])*)$/;

/** The value at `path` in `root`; throws a PathError naming the first step that has no value. */
export function valueAt(root: unknown, path: string): unknown {
  let node = root;
  for (const part of splitPath(path)) {
    const match = SEGMENT.exec(part);
    if (!match) throw new PathError(`${path}: cannot read segment "${part}"`);
    const [, key, selectors] = match;
    if (key !== undefined) {
      if (typeof node !== 'object' || node === null || !(key in node))
        throw new PathError(`${path}: no "${key}" here`);
      node = (node as Record<string, unknown>)[key];
    }
    for (const selector of (selectors ?? '').match(/\[[^\]]+\]/g) ?? []) {
      if (!Array.isArray(node)) throw new PathError(`${path}: ${selector} applied to a non-array`);
      node = select(node, selector.slice(1, -1), path);
    }
  }
  return node;
}
