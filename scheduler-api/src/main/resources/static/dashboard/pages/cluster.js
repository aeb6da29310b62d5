// Cluster: GPU allocation and fragmentation now and over the last hours, queue depth, and the packing picture
// (one column per server, one cell per GPU, shaded by the share allocated).
import { api } from '../api.js';
import { chart } from '../charts.js';
import { $, html, setHtml, gpus, percent } from '../dom.js';

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
    <div class="card">
      <h2>Packing</h2>
      <div class="chart" id="packing-chart"></div>
      <p class="hint">One column per server (by rack), one cell per GPU (rows are GPU indices): white is idle, dark blue is a whole GPU allocated.
        Grey columns are servers that take no work (not READY, or no agent connected); faint cells are slots
        without a GPU.</p>
    </div>`);
  const history = chart($('#history-chart', el));
  const packing = chart($('#packing-chart', el));
  $('#hours', el).addEventListener('change', e => {
    hours = Number(e.target.value);
    refresh().catch(console.error);
  });

  async function refresh() {
    const [util, pack, alloc] = await Promise.all([
      api(`/api/v1/cluster/utilization?hours=${hours}`),
      api('/api/v1/cluster/packing'),
      api('/api/v1/cluster/allocation'),
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

  return { refresh, unmount() { history.dispose(); packing.dispose(); } };
}
