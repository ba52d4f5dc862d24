// The console page's script: refreshes the topology from /api/topology, runs the explorer,
// switches the demo traffic and injects faults. Plain DOM, no framework, no CDN; text goes in
// with textContent, never innerHTML, so nothing a service answers can run here.
(() => {
  const TOKEN_KEY = 'mlsys-console-token';
  const params = new URLSearchParams(location.search);
  if (params.has('token')) {
    sessionStorage.setItem(TOKEN_KEY, params.get('token'));
    params.delete('token');
    const rest = params.toString();
    history.replaceState(null, '', location.pathname + (rest ? `?${rest}` : '') + location.hash);
  }
  const token = sessionStorage.getItem(TOKEN_KEY);
  const intervalMs = Number(document.body.dataset.intervalMs) || 2000;

  const $ = (selector, root = document) => root.querySelector(selector);
  const el = (tag, attrs = {}, ...children) => {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs)) {
      if (k === 'class') node.className = v;
      else if (k === 'style') node.setAttribute('style', v);
      else node.setAttribute(k, v);
    }
    for (const child of children.flat()) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  };

  if (token) {
    $('#mode').textContent = 'Actions enabled: this page holds the console token (for this tab only).';
    $('#mode').classList.add('armed');
  } else {
    for (const control of document.querySelectorAll('.act')) control.disabled = true;
  }

  async function api(method, path, body) {
    const headers = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (token) headers.authorization = `Bearer ${token}`;
    const res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) throw new Error(data?.error?.message ?? `${method} ${path} answered ${res.status}`);
    return data;
  }

  // ------------------------------------------------------------------ topology
  const fmt = (value, digits = 1) =>
    value === null || value === undefined ? '–' : Number(value).toFixed(digits);
  const pct = (value) => (value === null || value === undefined ? '–' : `${(100 * value).toFixed(2)} %`);

  function paint(view) {
    for (const design of view.designs) {
      for (const box of design.boxes) {
        const node = document.querySelector(`[data-box="${CSS.escape(box.id)}"]`);
        if (!node) continue;
        node.setAttribute('class', `box status-${box.status}`);
        const slot = (name) => node.querySelector(`[data-slot="${name}"]`);
        slot('reasons').textContent = [box.id, box.status, ...box.reasons].join('\n');
        if ('groups' in box) {
          for (let i = 0; i < 8; i++) {
            const group = box.groups[i];
            const target = slot(`group-${i}`);
            if (!target) continue;
            target.textContent = group
              ? `${group.group} ← ${group.topic}: ${group.lag}${group.growth > 0 ? ` (+${group.growth})` : ''}`
              : i === 0 && box.status === 'down'
                ? (box.reasons[0] ?? 'down')
                : '';
          }
          continue;
        }
        slot('rate').textContent = fmt(box.ratePerSecond);
        slot('latency').textContent = `${fmt(box.p50Ms)} / ${fmt(box.p95Ms)} / ${fmt(box.p99Ms)} ms`;
        slot('errors').textContent = pct(box.errorShare);
        slot('degraded').textContent = pct(box.degradedShare);
        box.extras.forEach((extra, i) => {
          const target = slot(`extra-${i}`);
          if (target) target.textContent = extra.value;
        });
      }
    }
    $('#updated').textContent = new Date(view.at).toLocaleTimeString();
  }

  async function refresh() {
    try {
      paint(await api('GET', '/api/topology'));
      $('#traffic-status').textContent = describeTraffic(await api('GET', '/api/traffic'));
    } catch (error) {
      $('#updated').textContent = `failed: ${error.message}`;
    } finally {
      setTimeout(refresh, intervalMs);
    }
  }

  // ------------------------------------------------------------------ traffic
  function describeTraffic(status) {
    const s = status.settings;
    const r = status.recs;
    const f = status.fraud;
    const decisions = Object.entries(f.decisions)
      .map(([k, v]) => `${k} ${v}`)
      .join(', ');
    return [
      `recs:  ${s.recs} req/s · sent ${r.sent}, ok ${r.ok}, failed ${r.failed}, skipped ${r.skipped}, degraded ${r.degraded}, listens ${r.listens}${r.lastError ? ` · last error: ${r.lastError}` : ''}`,
      `fraud: ${s.fraud} payments/s · sent ${f.sent}, ok ${f.ok}, failed ${f.failed}, skipped ${f.skipped} · ${decisions || 'no decisions yet'}`,
      `       simulated day ${f.simulatedDay} (pass ${f.loops}) · chargebacks ${s.chargebacks ? 'reported' : 'WITHHELD'}: sent ${f.chargebacksSent}, withheld ${f.chargebacksWithheld}${s.amountFactor !== 1 ? ` · amounts x${s.amountFactor}` : ''}${f.lastError ? ` · last error: ${f.lastError}` : ''}`,
    ].join('\n');
  }

  $('#traffic-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = event.currentTarget;
    const data = new FormData(form);
    try {
      const status = await api('POST', '/api/traffic', {
        recs: data.get('recsOn') ? Number(data.get('recs')) : 0,
        fraud: data.get('fraudOn') ? Number(data.get('fraud')) : 0,
      });
      $('#traffic-status').textContent = describeTraffic(status);
    } catch (error) {
      $('#traffic-status').textContent = error.message;
    }
  });

  // ------------------------------------------------------------------ explorer: recs
  function waterfall(entries, totalName = 'total') {
    const total = entries.find((e) => e.name === totalName)?.ms ?? Math.max(1, ...entries.map((e) => e.ms));
    const rows = entries.map((entry) =>
      el(
        'div',
        { class: 'wf-row' },
        el('span', { class: 'wf-name' }, entry.name + (entry.description ? ` (${entry.description})` : '')),
        el(
          'span',
          { class: 'wf-track' },
          el('span', {
            class: 'wf-bar',
            style: `width:${Math.min(100, (100 * entry.ms) / total).toFixed(1)}%`,
          }),
        ),
        el('span', { class: 'wf-ms' }, `${entry.ms.toFixed(2)} ms`),
      ),
    );
    return el('div', { class: 'waterfall' }, el('h4', {}, 'Server-Timing'), rows);
  }

  function table(headers, rows) {
    return el(
      'table',
      {},
      el(
        'thead',
        {},
        el(
          'tr',
          {},
          headers.map((h) => el('th', {}, h)),
        ),
      ),
      el(
        'tbody',
        {},
        rows.map((row) =>
          el(
            'tr',
            {},
            row.map((cell) => el('td', {}, cell)),
          ),
        ),
      ),
    );
  }

  function stageList(stage, limit = 10) {
    const scores = stage.scores ?? [];
    return table(
      ['#', 'song', 'score'],
      stage.ids
        .slice(0, limit)
        .map((id, i) => [i + 1, id, scores[i] === undefined ? '' : scores[i].toFixed(4)]),
    );
  }

  function renderRecs(result) {
    const body = result.body;
    const out = [
      el('p', {}, `HTTP ${result.status} in ${result.elapsedMs.toFixed(1)} ms as the console measured it`),
      waterfall(result.serverTiming),
    ];
    if (result.status !== 200) {
      out.push(el('pre', {}, JSON.stringify(body, null, 2)));
      return out;
    }
    out.push(
      el(
        'p',
        { class: body.degraded ? 'warn' : '' },
        body.degraded
          ? `degraded: ${body.degradedStages.map((d) => `${d.stage} (${d.reason}; served ${d.fallback})`).join('; ')}`
          : 'every stage answered in time',
        body.coldStart ? ' · cold start: no features for this user, regional popularity instead' : '',
      ),
    );
    const x = body.explain;
    if (x) {
      out.push(el('h4', {}, `features: ${x.features.source}`), el('p', { class: 'hint' }, x.features.detail));
      out.push(
        el(
          'h4',
          {},
          `candidates (${x.candidates.ids.length}) from ${x.candidates.source}${x.candidates.version ? ` ${x.candidates.version}` : ''}`,
        ),
        el('p', { class: 'hint' }, x.candidates.detail),
        stageList(x.candidates),
      );
      out.push(
        el('h4', {}, `ranker: ${x.ranking.source}${x.ranking.version ? ` ${x.ranking.version}` : ''}`),
        el('p', { class: 'hint' }, x.ranking.detail),
        stageList(x.ranking),
      );
      const changes = x.rules.changes ?? [];
      out.push(
        el('h4', {}, `rules: ${changes.length} change(s)`),
        changes.length
          ? table(
              ['song', 'rule', 'action', 'from', 'to', 'reason'],
              changes.map((c) => [c.songId, c.rule, c.action, c.from, c.to ?? '', c.reason]),
            )
          : el('p', { class: 'hint' }, x.rules.detail),
      );
    }
    out.push(
      el('h4', {}, 'answer'),
      table(
        ['#', 'song', 'artist', 'genre', 'score'],
        body.items.map((item, i) => [i + 1, item.songId, item.artistId, item.genre, item.score.toFixed(4)]),
      ),
    );
    return out;
  }

  $('#recs-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const userId = data.get('newUser') ? `new-${Date.now().toString(36)}` : data.get('userId');
    const target = $('#recs-result');
    target.replaceChildren(el('p', {}, 'asking rec-api…'));
    try {
      const query = new URLSearchParams({ userId, region: data.get('region'), count: data.get('count') });
      target.replaceChildren(...renderRecs(await api('GET', `/api/recs/explain?${query}`)));
    } catch (error) {
      target.replaceChildren(el('p', { class: 'warn' }, error.message));
    }
  });

  // ------------------------------------------------------------------ explorer: fraud
  function renderFraud(result) {
    const out = [];
    const payments = result.steps.filter((s) => 'transaction' in s);
    if (result.steps.length > 1) {
      out.push(
        el('h4', {}, 'what was sent'),
        table(
          ['step', 'what', 'answer'],
          result.steps.map((s, i) => {
            if ('chargeback' in s) return [i + 1, `chargeback of ${s.chargeback.transactionId}`, 'produced'];
            if ('pausedMs' in s) return [i + 1, `pause ${s.pausedMs} ms`, ''];
            const t = s.transaction;
            const d = s.body;
            return [
              i + 1,
              `${t.channel} ${t.amount.toFixed(2)} ${t.currency} at ${t.terminalId}`,
              s.status === 200
                ? `${d.decision} (score ${d.score.toFixed(3)}, ${d.mode})`
                : `HTTP ${s.status}`,
            ];
          }),
        ),
      );
    }
    const probe = result.probe ?? payments.at(-1);
    if (!probe) return out;
    const d = probe.body;
    const t = probe.transaction;
    out.push(
      el('h4', {}, `the probe: ${t.transactionId}`),
      el(
        'p',
        {},
        `${t.cardId} pays ${t.amount.toFixed(2)} ${t.currency} (${t.channel}, MCC ${t.merchantCategory}) at ${t.terminalId}${t.deviceId ? ` from ${t.deviceId}` : ''}`,
      ),
    );
    if (probe.status === 200) {
      out.push(
        el(
          'p',
          { class: `decision decision-${d.decision}` },
          `${d.decision.toUpperCase()} · model score ${d.score.toFixed(4)} · ${d.mode} · model ${d.modelVersion} · rules ${d.rulesVersion}`,
        ),
        el('h4', {}, 'rules fired and reasons'),
        d.reasons.length
          ? el(
              'ul',
              {},
              d.reasons.map((r) => el('li', {}, r)),
            )
          : el('p', { class: 'hint' }, 'none'),
      );
    } else {
      out.push(el('pre', {}, JSON.stringify(d, null, 2)));
    }
    out.push(
      el('p', {}, `HTTP ${probe.status} in ${probe.elapsedMs.toFixed(1)} ms`),
      waterfall(probe.serverTiming, 'decision'),
    );
    if (result.features) {
      const f = result.features;
      out.push(
        el('h4', {}, `features by window (${result.featureSpecVersion})`),
        table(
          ['entity', 'aggregate', ...f.windows],
          f.rows.map((row) => [
            row.entity,
            row.aggregate,
            ...f.windows.map((w) => (row.values[w] === undefined ? '' : fmt(row.values[w], 2))),
          ]),
        ),
        el('h4', {}, 'other features'),
        table(
          ['entity', 'feature', 'value'],
          f.others.map((o) => [o.entity, o.name, fmt(o.value, 3)]),
        ),
      );
    } else {
      out.push(el('p', { class: 'hint' }, result.featuresNote ?? 'no features'));
    }
    return out;
  }

  async function explainFraud(body) {
    const target = $('#fraud-result');
    target.replaceChildren(el('p', {}, 'sending…'));
    try {
      target.replaceChildren(...renderFraud(await api('POST', '/api/fraud/explain', body)));
    } catch (error) {
      target.replaceChildren(el('p', { class: 'warn' }, error.message));
    }
  }

  for (const button of document.querySelectorAll('[data-preset]'))
    button.addEventListener('click', () => explainFraud({ preset: button.dataset.preset }));

  $('#fraud-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(event.currentTarget);
    const payment = {
      cardId: data.get('cardId'),
      terminalId: data.get('terminalId'),
      amount: Number(data.get('amount')),
      currency: 'EUR',
      channel: data.get('channel'),
      merchantCategory: data.get('merchantCategory'),
    };
    if (data.get('deviceId')) payment.deviceId = data.get('deviceId');
    if (data.get('ip')) payment.ip = data.get('ip');
    explainFraud({ payment });
  });

  // ------------------------------------------------------------------ faults
  for (const button of document.querySelectorAll('[data-fault]')) {
    button.addEventListener('click', async () => {
      const id = button.dataset.fault;
      const arg = document.querySelector(`[data-fault-arg="${CSS.escape(id)}"]`);
      const body = arg ? { fault: id, seconds: Number(arg.value) } : { fault: id };
      try {
        const outcome = await api('POST', '/api/faults', body);
        $('#fault-status').textContent = `${new Date().toLocaleTimeString()} ${outcome.message}`;
      } catch (error) {
        $('#fault-status').textContent = error.message;
      }
    });
  }

  // The load runs' script (load-runs.js) calls the API the same way.
  window.mlsysConsole = { api, el, $ };
  refresh();
})();
