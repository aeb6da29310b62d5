// Tenants: what each tenant's workers hold now against its quota, its queued and running jobs, and the GPU-hours each
// used over the last day (by hour) or month (by day) from the usage report's series.
import { api } from '../api.js';
import { chart } from '../charts.js';
import { $, html, setHtml, gpus, bar } from '../dom.js';

// the usage report's buckets are UTC hours and days; ranges end at the end of the current bucket
const RANGES = {
  '24h': { label: 'last 24 h by hour', bucket: 'hour', count: 24, ms: 3600e3 },
  '30d': { label: 'last 30 days by day', bucket: 'day', count: 30, ms: 86400e3 },
};
// the report changes only when workers release resources: asked again at most this often, or when the range changes
const USAGE_EVERY_MS = 30000;

/** The starts (ms) of the range's buckets, oldest first, the last being the current (unfinished) one. */
function bucketStarts(range, now = Date.now()) {
  const end = Math.floor(now / range.ms) * range.ms + range.ms;
  return Array.from({ length: range.count }, (_, i) => end - (range.count - i) * range.ms);
}

function bucketLabel(range, ms) {
  const iso = new Date(ms).toISOString();
  if (range.bucket === 'hour') return iso.slice(11, 16);
  return new Date(ms).toLocaleDateString('en', { month: 'short', day: 'numeric', timeZone: 'UTC' });
}

function limit(used, max, unit) {
  if (max == null) return html`${used} ${unit} <span class="hint">(no limit)</span>`;
  return html`${bar(used, max)} ${used} / ${max} ${unit}`;
}

export function mount(el) {
  setHtml(el, html`
    <h1>Tenants</h1>
    <div class="card">
      <h2>GPUs held against quota</h2>
      <div class="chart short" id="tenants-chart"></div>
    </div>
    <div class="card">
      <table class="grid" id="tenants-table">
        <thead><tr><th>Tenant</th><th>GPUs held / quota</th><th>CPUs held / quota</th><th class="num">Queued jobs</th>
          <th class="num">Running jobs</th></tr></thead>
        <tbody></tbody>
      </table>
      <p class="hint">Tenants with a quota or with live jobs. Quotas are set with <code>PUT /api/v1/quotas/{tenant}</code>
        (gpuMilli: 1000 = one GPU; cpuMillis: 1000 = one CPU); a tenant without one is not limited.</p>
    </div>
    <div class="card">
      <div class="card-head">
        <h2>GPU-hours per tenant over time</h2>
        <label>Range <select id="usage-range">
          ${Object.entries(RANGES).map(([k, r]) => html`<option value="${k}">${r.label}</option>`)}
        </select></label>
      </div>
      <div class="chart" id="usage-chart" data-series="" data-buckets="0"></div>
      <p class="hint" id="usage-empty" hidden>No GPU usage recorded in this range.</p>
      <p class="hint">From the accounting records (<code>GET /api/v1/reports/usage?bucket=hour</code> or <code>day</code>): a worker's usage is
        counted once it has released its resources, spread over the hours it held them, so running jobs appear when
        they end. Times are UTC.</p>
    </div>`);
  const usage = chart($('#tenants-chart', el));
  const overTime = chart($('#usage-chart', el));
  let range = RANGES['24h'];
  let usageAsked = 0;
  $('#usage-range', el).addEventListener('change', e => {
    range = RANGES[e.target.value];
    usageAsked = 0;
    refreshUsage().catch(console.error);
  });

  async function refreshUsage() {
    const asked = Date.now();
    if (asked - usageAsked < USAGE_EVERY_MS) return;
    usageAsked = asked;
    const wanted = range;
    const starts = bucketStarts(wanted, asked);
    const from = new Date(starts[0]).toISOString();
    const to = new Date(starts[starts.length - 1] + wanted.ms).toISOString();
    const report = await api(`/api/v1/reports/usage?groupBy=tenant&bucket=${wanted.bucket}`
      + `&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`);
    if (wanted !== range) return; // the range changed while this was asked
    const index = new Map(starts.map((ms, i) => [ms, i]));
    // the report omits buckets without usage: a zero for each, so the stacks line up
    const series = report.groups.filter(g => g.series.some(b => b.gpuHours > 0)).map(g => {
      const data = starts.map(() => 0);
      for (const b of g.series) {
        const i = index.get(Date.parse(b.start));
        if (i !== undefined) data[i] = b.gpuHours;
      }
      return { name: g.key, type: 'bar', stack: 'gpu', barMaxWidth: 40, emphasis: { focus: 'series' }, data };
    });
    const chartEl = $('#usage-chart', el);
    chartEl.dataset.series = series.map(s => s.name).join(',');
    chartEl.dataset.buckets = String(starts.length);
    $('#usage-empty', el).hidden = series.length > 0;
    overTime.set({
      tooltip: {
        trigger: 'axis', axisPointer: { type: 'shadow' },
        valueFormatter: v => `${+Number(v).toFixed(3)} GPU-h`,
      },
      legend: { top: 0, type: 'scroll' },
      grid: { left: 20, right: 30, top: 35, bottom: 30, containLabel: true },
      xAxis: { type: 'category', data: starts.map(ms => bucketLabel(wanted, ms)),
        name: wanted.bucket === 'hour' ? 'hour (UTC)' : 'day (UTC)', nameLocation: 'middle', nameGap: 28 },
      yAxis: { type: 'value', name: 'GPU-hours', min: 0 },
      series,
    }, true);
  }

  async function refresh() {
    const [tenants] = await Promise.all([api('/api/v1/cluster/tenants'), refreshUsage()]);
    setHtml($('#tenants-table tbody', el), tenants.length === 0
      ? html`<tr><td colspan="5" class="empty">No tenant has a quota or a live job.</td></tr>`
      : tenants.map(t => html`<tr data-tenant="${t.tenant}">
          <td><a href="#/jobs?tenant=${encodeURIComponent(t.tenant)}">${t.tenant}</a></td>
          <td>${limit(gpus(t.gpuMilliUsed), t.quota?.gpuMilli == null ? null : gpus(t.quota.gpuMilli), 'GPU')}</td>
          <td>${limit(t.cpuMillisUsed / 1000, t.quota?.cpuMillis == null ? null : t.quota.cpuMillis / 1000, 'CPU')}</td>
          <td class="num">${t.queuedJobs}</td>
          <td class="num">${t.runningJobs}</td></tr>`));
    usage.set({
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
      legend: { top: 0 },
      grid: { left: 20, right: 30, top: 30, bottom: 30, containLabel: true },
      xAxis: { type: 'value', name: 'GPUs', nameLocation: 'middle', nameGap: 25, minInterval: 1 },
      yAxis: { type: 'category', data: tenants.map(t => t.tenant), inverse: true },
      // the held bar is drawn over the quota bar, so each row reads as usage against its quota
      series: [
        { name: 'quota', type: 'bar', barWidth: 18, itemStyle: { color: '#e5e7eb', borderColor: '#9ca3af' },
          data: tenants.map(t => (t.quota?.gpuMilli == null ? null : t.quota.gpuMilli / 1000)) },
        { name: 'held', type: 'bar', barWidth: 18, barGap: '-100%', itemStyle: { color: '#2563eb' },
          data: tenants.map(t => t.gpuMilliUsed / 1000) },
      ],
    }, true);
  }

  return { refresh, unmount() { usage.dispose(); overTime.dispose(); } };
}
