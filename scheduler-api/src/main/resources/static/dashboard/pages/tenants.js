// Tenants: what each tenant's workers hold now against its quota, and its queued and running jobs.
import { api } from '../api.js';
import { chart } from '../charts.js';
import { $, html, setHtml, gpus, bar } from '../dom.js';

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
    </div>`);
  const usage = chart($('#tenants-chart', el));

  async function refresh() {
    const tenants = await api('/api/v1/cluster/tenants');
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

  return { refresh, unmount() { usage.dispose(); } };
}
