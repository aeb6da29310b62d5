// Cluster: GPU allocation and fragmentation now and over the last hours, queue depth, power drawn (IT and facility,
// per zone or rack), and the packing picture (one column per server, one cell per GPU, shaded by the share allocated).
import { api, ApiError } from '../api.js';
import { chart } from '../charts.js';
import { $, html, setHtml, gpus, percent } from '../dom.js';

// more racks than this are drawn as the largest ones and "other racks", so the stack stays readable
const MAX_STACKED = 10;

/** "850 W", "5.23 kW", "1.2 MW" */
function watts(w) {
  if (w == null) return '';
  if (Math.abs(w) >= 1e6) return `${+(w / 1e6).toFixed(2)} MW`;
  if (Math.abs(w) >= 1e3) return `${+(w / 1e3).toFixed(2)} kW`;
  return `${Math.round(w)} W`;
}

function energy(joules) {
  const kwh = joules / 3.6e6;
  return kwh >= 1000 ? `${+(kwh / 1000).toFixed(2)} MWh` : `${+kwh.toFixed(2)} kWh`;
}

export function mount(el, { query }) {
  let hours = Number(query.get('hours')) || 3;
  setHtml(el, html`
    <h1>Cluster</h1>
    <div class="cards" id="cluster-cards"></div>
    <div class="card">
      <div class="card-head">
        <h2>GPU allocation and queue over the last hours</h2>
        <label>Span <select id="hours">
          ${[1, 3, 6, 12, 24].map(h => html`<option value="${h}" ${h === hours ? html`selected` : ''}>${h} h</option>`)}
        </select></label>
      </div>
      <div class="chart" id="history-chart"></div>
      <p class="hint">Sampled every 5 s by the control plane since it started. Fragmentation: idle capacity on GPUs that are
        partly allocated, which only fractional jobs can still use.</p>
    </div>
    <div class="card" id="power-card">
      <h2>Power</h2>
      <p class="hint" id="power-note" hidden></p>
      <div id="power-body" hidden>
        <div class="cards" id="power-cards"></div>
        <div class="chart" id="power-chart" data-series=""></div>
        <p class="hint">IT power is what the servers report (measured, or modelled from their idle and peak power);
          facility power is IT power times the PUE. Servers whose agent is silent and powered-off servers count 0.
          Sampled by the control plane since it started, over the span chosen above.</p>
      </div>
    </div>
    <div class="card">
      <h2>Packing</h2>
      <div class="chart" id="packing-chart"></div>
      <p class="hint">One column per server (by rack), one cell per GPU (rows are GPU indices): white is idle, dark blue is a whole GPU allocated.
        Grey columns are servers that take no work (not READY, or no agent connected); faint cells are slots
        without a GPU.</p>
    </div>`);
  const history = chart($('#history-chart', el));
  const packing = chart($('#packing-chart', el));
  let power = null; // made when first shown: ECharts cannot size a hidden element
  // false once the control plane answered 404: it has no power endpoints, so they are not asked again on this page
  let powerKnown = true;
  $('#hours', el).addEventListener('change', e => {
    hours = Number(e.target.value);
    refresh().catch(console.error);
  });

  function powerNote(text) {
    const note = $('#power-note', el);
    note.textContent = text;
    note.hidden = false;
    $('#power-body', el).hidden = true;
  }

  // Power is drawn on its own: a control plane without it, or a failure of it, leaves the rest of the page intact.
  async function refreshPower() {
    if (!powerKnown) return;
    let now;
    let history;
    try {
      // one after the other, so a control plane without power answers one 404, not two
      now = await api('/api/v1/cluster/power');
      history = await api(`/api/v1/cluster/power/history?minutes=${Math.min(1440, hours * 60)}`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) throw e;
      if (e instanceof ApiError && e.status === 404) {
        powerKnown = false;
        powerNote('No power data: this control plane does not report power.');
      } else {
        powerNote(`No power data: ${e.message}`);
      }
      return;
    }
    const reporting = now.servers.filter(s => s.source !== 'none').length;
    if (now.servers.length === 0 || reporting === 0) {
      powerNote(now.servers.length === 0 ? 'No power data: there are no servers.'
        : 'No power data yet: no server has reported power, and the inventory gives none an idle and peak power.');
      return;
    }
    $('#power-note', el).hidden = true;
    $('#power-body', el).hidden = false;
    setHtml($('#power-cards', el), html`
      <div class="stat"><span class="label">IT power</span><span class="value" id="stat-it-watts">${watts(now.itWatts)}</span>
        <span class="sub">${reporting} of ${now.servers.length} servers with a figure</span></div>
      <div class="stat"><span class="label">Facility power</span>
        <span class="value" id="stat-facility-watts">${watts(now.facilityWatts)}</span>
        <span class="sub" id="stat-pue">PUE ${now.pue}</span></div>
      <div class="stat"><span class="label">IT energy</span><span class="value">${energy(now.energyJoules)}</span>
        <span class="sub">since the servers were added</span></div>
      ${now.zones.length > 1 ? now.zones.map(z => html`<div class="stat"><span class="label">zone ${z.zone || '(none)'}</span>
        <span class="value">${watts(z.itWatts)}</span><span class="sub">${z.servers} ${z.servers === 1 ? 'server' : 'servers'}</span></div>`) : ''}`);

    // stacked per zone when there are several, else per rack; the largest racks by their power now, the rest summed
    const byZone = now.zones.length > 1;
    const field = byZone ? 'zones' : 'racks';
    const current = byZone ? now.zones.map(z => [z.zone, z.itWatts]) : now.racks.map(r => [r.rack, r.itWatts]);
    const names = new Set(current.map(([n]) => n));
    for (const s of history.samples) for (const n of Object.keys(s[field] || {})) names.add(n);
    const nowWatts = Object.fromEntries(current);
    const order = [...names].sort((a, b) => (nowWatts[b] ?? 0) - (nowWatts[a] ?? 0) || a.localeCompare(b));
    const shown = order.length > MAX_STACKED ? order.slice(0, MAX_STACKED - 1) : order;
    const rest = order.slice(shown.length);
    const label = n => (byZone ? `zone ${n || '(none)'}` : `rack ${n || '(none)'}`);
    const samples = [...history.samples];
    const last = samples[samples.length - 1];
    if (!last || Date.parse(last.at) < Date.parse(now.at)) {
      samples.push({ at: now.at, itWatts: now.itWatts, facilityWatts: now.facilityWatts,
        [field]: nowWatts });
    }
    const series = shown.map(n => ({
      name: label(n), type: 'line', stack: 'it', showSymbol: false, areaStyle: { opacity: 0.55 }, lineStyle: { width: 1 },
      data: samples.map(s => [s.at, s[field]?.[n] ?? 0]),
    }));
    if (rest.length) {
      series.push({ name: `${rest.length} other racks`, type: 'line', stack: 'it', showSymbol: false,
        areaStyle: { opacity: 0.55 }, lineStyle: { width: 1 },
        data: samples.map(s => [s.at, rest.reduce((sum, n) => sum + (s[field]?.[n] ?? 0), 0)]) });
    }
    series.push({ name: `facility (PUE ${now.pue})`, type: 'line', showSymbol: false, itemStyle: { color: '#111827' },
      lineStyle: { type: 'dashed', width: 1.5, color: '#111827' }, data: samples.map(s => [s.at, s.facilityWatts]) });
    $('#power-chart', el).dataset.series = series.map(s => s.name).join(',');
    power ??= chart($('#power-chart', el));
    power.set({
      tooltip: { trigger: 'axis', valueFormatter: watts },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 20, right: 30, top: 35, bottom: 30, containLabel: true },
      xAxis: { type: 'time' },
      yAxis: { type: 'value', min: 0, name: 'W', axisLabel: { formatter: watts } },
      series,
    }, true);
  }

  async function refresh() {
    const [util, pack, alloc] = await Promise.all([
      api(`/api/v1/cluster/utilization?hours=${hours}`),
      api('/api/v1/cluster/packing'),
      api('/api/v1/cluster/allocation'),
      refreshPower(),
    ]);
    const now = util.now;
    const connected = new Set(alloc.servers.filter(s => s.agentConnected).map(s => s.server));
    // a server takes work when it is READY and its agent is connected
    const takesWork = s => s.state === 'READY' && connected.has(s.name);
    const ready = pack.servers.filter(takesWork).length;
    setHtml($('#cluster-cards', el), html`
      <div class="stat"><span class="label">GPUs allocated</span>
        <span class="value" id="stat-gpus">${gpus(now.gpuAllocatedMilli)} / ${gpus(now.gpuCapacityMilli)}</span>
        <span class="sub">${percent(now.allocationRatio)}</span></div>
      <div class="stat"><span class="label">Fragmentation</span>
        <span class="value">${percent(now.fragmentationRatio)}</span><span class="sub">of GPU capacity</span></div>
      <div class="stat"><span class="label">Queued jobs</span><span class="value" id="stat-queued">${now.queuedJobs}</span>
        <span class="sub"><a href="#/jobs?state=QUEUED">see the queue</a></span></div>
      <div class="stat"><span class="label">Running jobs</span><span class="value">${now.runningJobs}</span>
        <span class="sub"><a href="#/jobs?state=RUNNING">see them</a></span></div>
      <div class="stat"><span class="label">Servers taking work</span><span class="value" id="stat-servers">${ready} / ${pack.servers.length}</span>
        <span class="sub">READY with an agent; <a href="#/nodes">see the nodes</a></span></div>
      ${alloc.models.map(m => html`<div class="stat"><span class="label">${m.model}</span>
        <span class="value">${m.free} free</span>
        <span class="sub">of ${m.total}; ${gpus(m.allocatedMilli)} GPU allocated${m.unhealthy ? `, ${m.unhealthy} unhealthy` : ''}</span></div>`)}`);

    const points = [...util.history, now];
    history.set({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 50, right: 50, top: 30, bottom: 30 },
      xAxis: { type: 'time' },
      yAxis: [
        { type: 'value', min: 0, max: 100, name: '%', axisLabel: { formatter: '{value} %' } },
        { type: 'value', min: 0, minInterval: 1, name: 'jobs', splitLine: { show: false } },
      ],
      series: [
        { name: 'GPU allocated', type: 'line', showSymbol: false, areaStyle: { opacity: 0.15 },
          data: points.map(p => [p.at, +(100 * p.allocationRatio).toFixed(2)]) },
        { name: 'fragmentation', type: 'line', showSymbol: false,
          data: points.map(p => [p.at, +(100 * p.fragmentationRatio).toFixed(2)]) },
        { name: 'queued jobs', type: 'line', step: 'end', showSymbol: false, yAxisIndex: 1,
          data: points.map(p => [p.at, p.queuedJobs]) },
        { name: 'running jobs', type: 'line', step: 'end', showSymbol: false, yAxisIndex: 1,
          data: points.map(p => [p.at, p.runningJobs]) },
      ],
    });

    const maxGpus = Math.max(1, ...pack.servers.map(s => s.gpuMilli.length));
    // cells at most 60 px wide and about 26 px high, so a small cluster does not stretch into bands
    const packingEl = $('#packing-chart', el);
    packingEl.style.height = `${Math.max(120, maxGpus * 26 + 80)}px`;
    const width = Math.min(packingEl.clientWidth - 80, Math.max(1, pack.servers.length) * 60);
    const live = [];
    const down = [];
    const none = [];
    pack.servers.forEach((s, x) => {
      s.gpuMilli.forEach((m, y) => (takesWork(s) ? live : down).push([x, y, m]));
      for (let y = s.gpuMilli.length; y < maxGpus; y++) none.push([x, y, 0]);
    });
    packing.set({
      tooltip: {
        formatter: p => {
          const s = pack.servers[p.value[0]];
          const gpu = p.seriesIndex === 2 ? 'no GPU here'
            : `GPU ${p.value[1]}: ${p.value[2] / 10} % allocated, ${s.gpuHealth[p.value[1]]}`;
          return `${s.name} (rack ${s.rack}, ${s.state}${connected.has(s.name) ? '' : ', no agent'})<br>${gpu}`
            + `<br>CPU ${(100 * s.cpuMillisUsed / Math.max(1, s.cpuMillis)).toFixed(0)} % allocated`;
        },
      },
      grid: { left: 50, top: 10, bottom: 60, width },
      xAxis: { type: 'category', data: pack.servers.map(s => s.name), splitArea: { show: false },
        axisLabel: { rotate: 30, hideOverlap: true } },
      yAxis: { type: 'category', data: [...Array(maxGpus).keys()].map(String), inverse: true },
      visualMap: { min: 0, max: 1000, show: false, seriesIndex: 0, inRange: { color: ['#ffffff', '#1e3a8a'] } },
      series: [
        { type: 'heatmap', data: live, itemStyle: { borderColor: '#cbd5e1', borderWidth: 1 } },
        { type: 'heatmap', data: down, itemStyle: { color: '#d1d5db', borderColor: '#9ca3af', borderWidth: 1 } },
        { type: 'heatmap', data: none, itemStyle: { color: '#f9fafb', borderColor: '#f3f4f6', borderWidth: 1 } },
      ],
    });
  }

  return { refresh, unmount() { history.dispose(); packing.dispose(); power?.dispose(); } };
}
