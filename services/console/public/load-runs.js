// The console page's load runs: starts one (POST /api/load), follows it (GET /api/load) and draws
// its charts as inline SVG. Live, the runner's progress line gives the completed requests of the
// last second, their p50/p95/p99 and the p95 of the run so far; once the runner has written its
// result, the charts show that result's per-second p50/p95/p99 (by the second each request was due)
// instead. Text goes in with textContent only.
(() => {
  const { api, el, $ } = window.mlsysConsole;
  const SVG = 'http://www.w3.org/2000/svg';
  const COLORS = { p50: '#4e79a7', p95: '#f28e2b', p99: '#e15759', rate: '#59a14f', slo: '#999' };
  const svg = (tag, attrs = {}, text) => {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
    if (text !== undefined) node.textContent = text;
    return node;
  };

  /** A line chart: series of [x, y|null] points (a null breaks the line), optional horizontal targets. */
  function lineChart({ title, unit, xMax, series, targets = [] }) {
    const W = 460;
    const H = 200;
    const pad = { left: 48, right: 10, top: 24, bottom: 26 };
    const ys = series.flatMap((s) => s.points.map((p) => p[1])).filter((y) => y !== null);
    const yMax = Math.max(1, ...ys, ...targets.map((t) => t.value)) * 1.1;
    const x = (v) => pad.left + (v / Math.max(1, xMax)) * (W - pad.left - pad.right);
    const y = (v) => H - pad.bottom - (v / yMax) * (H - pad.top - pad.bottom);
    const chart = svg('svg', { viewBox: `0 0 ${W} ${H}`, width: W, height: H, class: 'chart', role: 'img' });
    chart.append(svg('text', { x: pad.left, y: 14, class: 'chart-title' }, title));
    for (const tick of [0, 0.5, 1]) {
      const v = (yMax / 1.1) * tick;
      chart.append(svg('line', { x1: pad.left, x2: W - pad.right, y1: y(v), y2: y(v), class: 'grid' }));
      chart.append(
        svg('text', { x: pad.left - 4, y: y(v) + 4, 'text-anchor': 'end' }, `${v.toFixed(v < 10 ? 1 : 0)}`),
      );
    }
    chart.append(svg('text', { x: W - pad.right, y: H - 6, 'text-anchor': 'end' }, `${xMax} s`));
    chart.append(svg('text', { x: pad.left, y: H - 6 }, `0 s · ${unit}`));
    for (const target of targets) {
      chart.append(
        svg('line', {
          x1: pad.left,
          x2: W - pad.right,
          y1: y(target.value),
          y2: y(target.value),
          stroke: COLORS.slo,
          'stroke-dasharray': '4 3',
        }),
      );
      chart.append(
        svg('text', { x: W - pad.right, y: y(target.value) - 3, 'text-anchor': 'end' }, target.label),
      );
    }
    series.forEach((s, i) => {
      let d = '';
      let pen = 'M';
      for (const [px, py] of s.points) {
        if (py === null) {
          pen = 'M';
          continue;
        }
        d += `${pen}${x(px).toFixed(1)},${y(py).toFixed(1)} `;
        pen = 'L';
      }
      chart.append(
        svg('path', { d, fill: 'none', stroke: s.color, 'stroke-width': 1.8, 'data-series': s.name }),
      );
      // Dots too: a line needs two seconds, and a second without answers leaves a point alone.
      for (const [px, py] of s.points)
        if (py !== null)
          chart.append(svg('circle', { cx: x(px).toFixed(1), cy: y(py).toFixed(1), r: 2, fill: s.color }));
      chart.append(svg('text', { x: pad.left + 90 + i * 70, y: H - 6, fill: s.color }, s.name));
    });
    return chart;
  }

  /** The SLO's latency targets of a finished run (`p95_ms < 100`), as dashed lines. */
  const sloTargets = (outcome) =>
    (outcome?.slo ?? [])
      .filter((v) => /p\d+_ms/.test(v.metric))
      .map((v) => ({ value: v.target, label: `SLO ${v.metric} ${v.op} ${v.target}` }));

  function draw(run) {
    const box = $('#load-chart');
    box.replaceChildren();
    if (!run) return;
    const seconds = run.outcome?.seconds ?? [];
    const xMax = Math.max(
      run.durationSeconds,
      ...run.samples.map((s) => s.elapsedS),
      ...seconds.map((s) => s.second),
    );
    if (seconds.length > 0) {
      const per = (key) => seconds.map((s) => [s.second, s[key]]);
      box.append(
        lineChart({
          title: `${run.outcome.trend ?? 'latency'} per second (ms), from the result`,
          unit: 'ms',
          xMax,
          series: [
            { name: 'p50', color: COLORS.p50, points: per('p50Ms') },
            { name: 'p95', color: COLORS.p95, points: per('p95Ms') },
            { name: 'p99', color: COLORS.p99, points: per('p99Ms') },
          ],
          targets: sloTargets(run.outcome),
        }),
        lineChart({
          title: 'completed per second',
          unit: '/s',
          xMax,
          series: [{ name: 'completed', color: COLORS.rate, points: per('completed') }],
        }),
      );
      return;
    }
    const live = (key) => run.samples.map((s) => [s.elapsedS, s[key]]);
    box.append(
      lineChart({
        title: 'latency of the requests completed each second (ms), live',
        unit: 'ms',
        xMax,
        series: [
          { name: 'p50', color: COLORS.p50, points: live('p50Ms') },
          { name: 'p95', color: COLORS.p95, points: live('p95Ms') },
          { name: 'p99', color: COLORS.p99, points: live('p99Ms') },
          { name: 'p95 so far', color: COLORS.slo, points: live('p95SoFarMs') },
        ],
      }),
      lineChart({
        title: 'completed in the last second, live',
        unit: '/s',
        xMax,
        series: [{ name: 'rate', color: COLORS.rate, points: live('ratePerS') }],
      }),
    );
  }

  function describe(run) {
    const status = $('#load-status');
    status.replaceChildren();
    if (!run) {
      status.textContent = 'no run yet';
      return;
    }
    const last = run.samples.at(-1);
    const progress = last
      ? ` · ${last.elapsedS}/${last.totalS} s · ${last.ratePerS}/s · errors ${last.errors}`
      : '';
    status.append(
      el('strong', { class: `load-${run.state}` }, run.state),
      ` ${run.scenario} at ${run.rate}/s for ${run.durationSeconds} s, started ${new Date(run.startedAt).toLocaleTimeString()} · ${run.phase}${progress}`,
    );
    if (run.report) {
      status.append(
        ' · ',
        el('a', { href: run.report.html, target: '_blank', rel: 'noopener' }, 'HTML report'),
      );
      status.append(' · ', el('a', { href: run.report.json, target: '_blank', rel: 'noopener' }, 'JSON'));
    }
    $('#load-tail').textContent = run.state === 'running' ? '' : run.tail.join('\n');
  }

  let timer;
  async function follow() {
    clearTimeout(timer);
    let running = false;
    try {
      const { run } = await api('GET', '/api/load');
      describe(run);
      draw(run);
      running = run?.state === 'running';
    } catch (error) {
      $('#load-status').textContent = error.message;
    } finally {
      // Every second while a run goes (the runner prints once a second); slowly otherwise, to see a run started elsewhere.
      timer = setTimeout(follow, running ? 1000 : 5000);
    }
  }

  $('#load-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(event.target);
    try {
      await api('POST', '/api/load', {
        scenario: data.get('scenario'),
        rate: Number(data.get('rate')),
        durationSeconds: Number(data.get('durationSeconds')),
      });
    } catch (error) {
      $('#load-status').textContent = error.message;
      return;
    }
    follow();
  });

  $('#load-stop').addEventListener('click', async () => {
    try {
      await api('POST', '/api/load/stop', {});
    } catch (error) {
      $('#load-status').textContent = error.message;
    }
    follow();
  });

  follow();
})();
