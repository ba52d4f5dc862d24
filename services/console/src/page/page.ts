import type { PresetName } from '../domain/fraud-presets.js';
import type { Box, DesignDrawing } from '../domain/topology.js';
import { escapeHtml as e } from './escape.js';

/**
 * The console's one page, rendered on the server: both topologies as SVG
 * (boxes with empty number slots the script fills from `/api/topology`), the
 * request explorer's forms, the traffic switches and the faults. Without the
 * token the page is read-only: the forms that change the stack are shown
 * disabled, and the API refuses them anyway (401).
 */

export interface PageModel {
  version: string;
  drawings: readonly DesignDrawing[];
  windowSeconds: number;
  scrapeIntervalMs: number;
  users: ReadonlyArray<{ id: string; region: string }>;
  regions: readonly string[];
  presets: Readonly<Record<PresetName, string>>;
  faults: ReadonlyArray<{ id: string; title: string; description: string; needs?: string }>;
  /** The load runner's scenarios the console can start. */
  loadScenarios: readonly string[];
  /** Links to each service's API page, by box id. */
  docs: Readonly<Record<string, string>>;
}

const CELL_W = 310;
const CELL_H = 160;
const BOX_W = 265;
const LINE = 15;

/** Lines a box shows: title, role, rate, latency, shares, then its extras (Kafka: one per group). */
function boxLines(box: Box): number {
  return box.kind === 'kafka' ? 10 : 5 + box.extras.length;
}

function boxRect(box: Box) {
  return {
    x: 10 + box.at.col * CELL_W,
    y: 10 + box.at.row * CELL_H,
    w: BOX_W,
    h: 12 + boxLines(box) * LINE,
  };
}

/** Where the segment from the centre of `a` towards the centre of `b` leaves `a`'s rectangle. */
function edgePoint(a: ReturnType<typeof boxRect>, b: ReturnType<typeof boxRect>) {
  const ax = a.x + a.w / 2;
  const ay = a.y + a.h / 2;
  const dx = b.x + b.w / 2 - ax;
  const dy = b.y + b.h / 2 - ay;
  const scale = 1 / Math.max(Math.abs(dx) / (a.w / 2) || 0, Math.abs(dy) / (a.h / 2) || 0, 1e-9);
  return { x: ax + dx * scale, y: ay + dy * scale };
}

function drawBox(box: Box, docs: PageModel['docs']): string {
  const r = boxRect(box);
  const id = e(box.id);
  const text = (line: number, cls: string, content: string) =>
    `<text x="${r.x + 10}" y="${r.y + 18 + line * LINE}" class="${cls}">${content}</text>`;
  const slots =
    box.kind === 'kafka'
      ? Array.from({ length: 8 }, (_, i) =>
          text(2 + i, 'num', `<tspan data-slot="group-${i}"></tspan>`),
        ).join('')
      : [
          text(2, 'num', `<tspan data-slot="rate">–</tspan> ${e(box.rateUnit)}`),
          text(3, 'num', 'p50/95/99 <tspan data-slot="latency">–</tspan>'),
          text(
            4,
            'num',
            'err <tspan data-slot="errors">–</tspan> · degr <tspan data-slot="degraded">–</tspan>',
          ),
          ...box.extras.map((extra, i) =>
            text(5 + i, 'num', `${e(extra.label)} <tspan data-slot="extra-${i}">–</tspan>`),
          ),
        ].join('');
  const title = docs[box.id]
    ? `<a href="${e(docs[box.id]!)}" target="_blank" rel="noopener">${text(0, 'title', e(box.title))}</a>`
    : text(0, 'title', e(box.title));
  return `<g class="box status-unknown" data-box="${id}" data-design="${e(box.design)}">
<title data-slot="reasons">${e(box.title)}</title>
<rect x="${r.x}" y="${r.y}" width="${r.w}" height="${r.h}" rx="8"/>
${title}${text(1, 'role', e(box.role))}${slots}
</g>`;
}

function drawDesign(drawing: DesignDrawing, docs: PageModel['docs']): string {
  const rects = new Map(drawing.boxes.map((box) => [box.id, boxRect(box)]));
  const width = Math.max(...[...rects.values()].map((r) => r.x + r.w)) + 10;
  const height = Math.max(...[...rects.values()].map((r) => r.y + r.h)) + 10;
  const arrows = drawing.arrows
    .map((arrow) => {
      const from = rects.get(arrow.from)!;
      const to = rects.get(arrow.to)!;
      let a = edgePoint(from, to);
      let b = edgePoint(to, from);
      // Two arrows between the same boxes (there and back): each moves to its own side of the line.
      if (drawing.arrows.some((other) => other.from === arrow.to && other.to === arrow.from)) {
        const length = Math.hypot(b.x - a.x, b.y - a.y) || 1;
        const nx = (-(b.y - a.y) / length) * 7;
        const ny = ((b.x - a.x) / length) * 7;
        a = { x: a.x + nx, y: a.y + ny };
        b = { x: b.x + nx, y: b.y + ny };
      }
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 };
      return `<g class="arrow"><line x1="${a.x.toFixed(1)}" y1="${a.y.toFixed(1)}" x2="${b.x.toFixed(1)}" y2="${b.y.toFixed(1)}" marker-end="url(#head)"/>
<text x="${mid.x.toFixed(1)}" y="${(mid.y - 4).toFixed(1)}">${e(arrow.label)}</text></g>`;
    })
    .join('\n');
  return `<figure class="design" data-design="${e(drawing.design)}">
<figcaption><strong>${e(drawing.title)}</strong> · SLO: ${e(drawing.slo)}</figcaption>
<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="${e(drawing.title)} topology">
<defs><marker id="head" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z"/></marker></defs>
${arrows}
${drawing.boxes.map((box) => drawBox(box, docs)).join('\n')}
</svg>
</figure>`;
}

const option = (value: string, label = value) => `<option value="${e(value)}">${e(label)}</option>`;

export function renderPage(model: PageModel): string {
  const presetButtons = Object.entries(model.presets)
    .map(
      ([name, description]) =>
        `<button type="button" class="act" data-preset="${e(name)}" title="${e(description)}">${e(name)}</button>`,
    )
    .join(' ');
  const faults = model.faults
    .map(
      (fault) => `<li><button type="button" class="act" data-fault="${e(fault.id)}">${e(fault.title)}</button>
${fault.needs ? `<input type="number" class="act" data-fault-arg="${e(fault.id)}" value="5" min="1" max="60" aria-label="${e(fault.needs)}"> ${e(fault.needs)}` : ''}
<span class="hint">${e(fault.description)}</span></li>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>ML system designs · interview console</title>
<link rel="stylesheet" href="/assets/console.css">
</head>
<body data-window-seconds="${model.windowSeconds}" data-interval-ms="${model.scrapeIntervalMs}">
<header>
<h1>ML system designs, running</h1>
<p>Each box: requests/s, latency percentiles, failed and fallen-back shares over the last
${model.windowSeconds} s, from the services' own <code>/metrics</code>; coloured by the SLO in
<code>load-tests/src/slo.ts</code>. <span class="legend"><i class="status-ok"></i>ok <i class="status-degraded"></i>fell back
<i class="status-breach"></i>SLO breached <i class="status-down"></i>down <i class="status-idle"></i>no traffic</span></p>
<p id="mode" class="mode">Read-only: open the console with the <code>?token=</code> printed at start-up to send traffic, payments and faults.</p>
<p class="updated">updated <span id="updated">never</span> · console ${e(model.version)}</p>
</header>
<main>
<section id="topology">
${model.drawings.map((drawing) => drawDesign(drawing, model.docs)).join('\n')}
</section>

<section id="traffic">
<h2>Demo traffic</h2>
<p class="hint">From the project's simulators: listeners of the recs data set (Zipf, some new, some travelling),
and the Fraud Detection Handbook's payments with their chargebacks, reported where the simulation reports them.</p>
<form id="traffic-form">
<label><input type="checkbox" class="act" name="recsOn"> recs</label>
<input type="number" class="act" name="recs" value="20" min="1" max="2000"> req/s
<label><input type="checkbox" class="act" name="fraudOn"> fraud</label>
<input type="number" class="act" name="fraud" value="50" min="1" max="5000"> payments/s
<button type="submit" class="act">apply</button>
</form>
<pre id="traffic-status">–</pre>
</section>

<section id="explorer">
<h2>Request explorer</h2>
<div class="columns">
<div>
<h3>Recommendations</h3>
<form id="recs-form">
<label>user <select name="userId">${model.users.map((u) => option(u.id, `${u.id} (home ${u.region})`)).join('')}</select></label>
<label>region <select name="region">${model.regions.map((r) => option(r)).join('')}</select></label>
<label><input type="checkbox" name="newUser"> a new user</label>
<label>count <input type="number" name="count" value="10" min="1" max="100"></label>
<button type="submit">explain</button>
</form>
<div id="recs-result" class="result"></div>
</div>
<div>
<h3>Fraud</h3>
<p>Presets: ${presetButtons}</p>
<form id="fraud-form">
<label>card <input name="cardId" value="card-00001"></label>
<label>terminal <input name="terminalId" value="term-00001"></label>
<label>amount <input name="amount" type="number" step="0.01" value="42.00"></label>
<label>channel <select name="channel">${option('pos')}${option('ecom')}</select></label>
<label>MCC <input name="merchantCategory" value="5411" size="4"></label>
<label>device <input name="deviceId" placeholder="(card-not-present)"></label>
<label>IP <input name="ip" placeholder="(card-not-present)"></label>
<button type="submit" class="act">send payment</button>
</form>
<div id="fraud-result" class="result"></div>
</div>
</div>
</section>

<section id="load">
<h2>Load runs</h2>
<p class="hint">A scenario of <code>load-tests/src/scenarios/</code>, judged against <code>load-tests/src/slo.ts</code>:
the load runner in a process of its own (<code>npm run load -- &lt;scenario&gt; --rate N --duration S</code>), one run at a time.
Live: completed requests per second and the p95 of the run so far; when it ends, its p50/p95/p99 per second and its report.</p>
<form id="load-form">
<label>scenario <select class="act" name="scenario">${model.loadScenarios.map((name) => option(name)).join('')}</select></label>
<label>rate <input type="number" class="act" name="rate" value="50" min="1" max="10000"> /s</label>
<label>for <input type="number" class="act" name="durationSeconds" value="30" min="5" max="300"> s</label>
<button type="submit" class="act">start</button>
<button type="button" class="act" id="load-stop">stop</button>
</form>
<p id="load-status">–</p>
<div id="load-chart"></div>
<pre id="load-tail"></pre>
</section>

<section id="faults">
<h2>Faults</h2>
<ul>${faults}</ul>
<pre id="fault-status"></pre>
</section>
</main>
<script src="/assets/console.js"></script>
<script src="/assets/load-runs.js"></script>
</body>
</html>
`;
}
