/** Where a terminal is, on the simulator's 100 x 100 grid: public merchant data, shipped with the artifacts. */
export interface TerminalLocation {
  x: number;
  y: number;
}

export type TerminalDirectory = ReadonlyMap<string, TerminalLocation>;

/** Reads `terminalId,x,y,...` CSV (header first; extra columns ignored), as the simulator writes it. */
export function parseTerminalDirectory(csv: string): TerminalDirectory {
  const lines = csv.split('\n');
  const header = (lines[0] ?? '').trim().split(',');
  const idColumn = header.indexOf('terminalId');
  const xColumn = header.indexOf('x');
  const yColumn = header.indexOf('y');
  if (idColumn < 0 || xColumn < 0 || yColumn < 0) {
    throw new Error(
      `terminal directory: the header must name terminalId, x and y columns, got "${lines[0] ?? ''}"`,
    );
  }
  const directory = new Map<string, TerminalLocation>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const cells = line.split(',');
    const x = Number(cells[xColumn]);
    const y = Number(cells[yColumn]);
    if (!Number.isFinite(x) || !Number.isFinite(y))
      throw new Error(`terminal directory line ${i + 1}: x and y must be numbers`);
    directory.set(cells[idColumn]!, { x, y });
  }
  return directory;
}
