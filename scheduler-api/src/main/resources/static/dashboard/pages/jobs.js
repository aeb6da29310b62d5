// Jobs: filter by state, tenant and name; each job's state, where it waits and why.
import { api } from '../api.js';
import { $, html, setHtml, badge, since, duration } from '../dom.js';

const STATES = ['QUEUED', 'HELD', 'SCHEDULED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED', 'PREEMPTED'];
const PAGE_SIZE = 500;

export function mount(el, { query }) {
  const filter = { state: query.get('state') || '', tenant: query.get('tenant') || '', name: query.get('name') || '' };
  setHtml(el, html`
    <h1>Jobs</h1>
    <form class="filters card" id="job-filters">
      <label>State <select name="state" id="filter-state">
        <option value="">any</option>
        ${STATES.map(s => html`<option ${s === filter.state ? html`selected` : ''}>${s}</option>`)}
      </select></label>
      <label>Tenant <input name="tenant" id="filter-tenant" value="${filter.tenant}" placeholder="any"></label>
      <label>Name contains <input name="name" id="filter-name" value="${filter.name}" placeholder="any"></label>
      <span class="spacer"></span>
      <span id="job-count" class="hint"></span>
    </form>
    <div class="card">
      <table class="grid" id="jobs-table">
        <thead><tr><th>Name</th><th>Tenant</th><th>State</th><th class="num">Priority</th><th class="num">Attempt</th><th class="num">GPUs</th><th>Nodes</th><th>Age</th>
          <th>Run time</th><th>Pending reason / message</th></tr></thead>
        <tbody></tbody>
      </table>
    </div>`);
  const form = $('#job-filters', el);
  let debounce = null;
  const onChange = () => {
    clearTimeout(debounce);
    debounce = setTimeout(() => {
      filter.state = $('#filter-state', el).value;
      filter.tenant = $('#filter-tenant', el).value.trim();
      filter.name = $('#filter-name', el).value.trim();
      const q = new URLSearchParams(Object.entries(filter).filter(([, v]) => v)).toString();
      history.replaceState(null, '', `#/jobs${q ? `?${q}` : ''}`);
      refresh().catch(console.error);
    }, 250);
  };
  form.addEventListener('input', onChange);
  form.addEventListener('submit', e => e.preventDefault());

  async function refresh() {
    const params = new URLSearchParams({ size: PAGE_SIZE });
    if (filter.state) params.set('state', filter.state);
    if (filter.tenant) params.set('tenant', filter.tenant);
    const page = await api(`/api/v1/jobs?${params}`);
    const needle = filter.name.toLowerCase();
    const shown = needle ? page.items.filter(j => j.name.toLowerCase().includes(needle)) : page.items;
    $('#job-count', el).textContent = needle
      ? `${shown.length} of the newest ${page.items.length} jobs match`
      : `${page.items.length} of ${page.total} jobs${page.total > page.items.length ? ' (the newest)' : ''}`;
    setHtml($('#jobs-table tbody', el), shown.length === 0
      ? html`<tr><td colspan="10" class="empty">No jobs match.</td></tr>`
      : shown.map(j => html`
        <tr data-job-id="${j.id}" data-job-name="${j.name}">
          <td><a href="#/jobs/${j.id}">${j.name}</a></td>
          <td>${j.tenant}</td>
          <td class="job-state">${badge(j.state)}</td>
          <td class="num">${j.priority}</td>
          <td class="num">${j.attempt}</td>
          <td class="num">${(j.gpuMilli ?? 0) / 1000}</td>
          <td>${(j.servers ?? []).join(', ')}</td>
          <td title="${j.createdAt}">${since(j.createdAt)}</td>
          <td>${j.startedAt ? duration(((j.finishedAt ? Date.parse(j.finishedAt) : Date.now()) - Date.parse(j.startedAt)) / 1000) : ''}</td>
          <td class="reason">${j.state === 'QUEUED' ? j.pendingReason ?? '' : j.message ?? ''}</td>
        </tr>`));
  }

  return { refresh, unmount() { clearTimeout(debounce); } };
}
