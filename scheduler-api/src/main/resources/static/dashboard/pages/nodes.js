// Nodes: every server's state (drain, cordon), agent heartbeat, CPU and memory, and one cell per GPU shaded by its
// allocated share; a server's row opens its accelerators with health and the jobs holding them.
import { api, ApiError } from '../api.js';
import { $, html, setHtml, badge, gpus, bar } from '../dom.js';

const gib = mib => String(+(mib / 1024).toFixed(mib < 10240 ? 1 : 0));

export function mount(el, { query }) {
  let selected = query.get('server') || '';
  setHtml(el, html`
    <h1>Nodes</h1>
    <div class="cards" id="model-cards"></div>
    <div class="card">
      <table class="grid" id="nodes-table">
        <thead><tr><th>Server</th><th>Rack</th><th>State</th><th>Agent</th><th>CPU</th><th>Memory</th><th>GPUs</th>
          <th>Free GPUs</th></tr></thead>
        <tbody></tbody>
      </table>
      <p class="hint">One cell per GPU: white is idle, dark blue is allocated in full, a red outline is a GPU that is not healthy.
        Click a server for its GPUs and the jobs on them.</p>
    </div>
    <div id="server-detail"></div>`);

  el.addEventListener('click', e => {
    const row = e.target.closest('tr[data-server]');
    if (!row || e.target.closest('a')) return;
    selected = selected === row.dataset.server ? '' : row.dataset.server;
    history.replaceState(null, '', `#/nodes${selected ? `?server=${encodeURIComponent(selected)}` : ''}`);
    refresh().catch(console.error);
  });

  function cell(milli, health) {
    const shade = Math.round(255 - (milli / 1000) * 200);
    return html`<span class="gpu ${health === 'HEALTHY' ? '' : 'unhealthy'}" title="${milli / 10} % allocated, ${health}"
      style="background: rgb(${shade}, ${shade}, 255)"></span>`;
  }

  async function refresh() {
    const [alloc, pack] = await Promise.all([api('/api/v1/cluster/allocation'), api('/api/v1/cluster/packing')]);
    const cells = new Map(pack.servers.map(s => [s.name, s]));
    setHtml($('#model-cards', el), alloc.models.length === 0
      ? html`<div class="stat"><span class="label">Accelerators</span><span class="value">none</span></div>`
      : alloc.models.map(m => html`<div class="stat"><span class="label">${m.model}</span>
          <span class="value">${m.free} free</span>
          <span class="sub">of ${m.total}; ${gpus(m.allocatedMilli)} GPU allocated${m.unhealthy ? `, ${m.unhealthy} unhealthy` : ''}</span></div>`));
    setHtml($('#nodes-table tbody', el), alloc.servers.length === 0
      ? html`<tr><td colspan="8" class="empty">No servers. Start a node agent or import an inventory.</td></tr>`
      : alloc.servers.map(s => {
        const unhealthy = s.gpus.reduce((n, g) => n + g.unhealthy, 0);
        const packed = cells.get(s.server) ?? { gpuMilli: [], gpuHealth: [] };
        const age = s.agentHeartbeatAgeSeconds;
        return html`<tr data-server="${s.server}" class="clickable ${s.server === selected ? 'selected' : ''}">
          <td><strong>${s.server}</strong></td>
          <td>${s.rack}</td>
          <td>${badge(s.state)}${s.stateReason ? html` <span class="hint" title="${s.stateReason}">${s.stateReason}</span>` : ''}</td>
          <td class="${s.agentConnected ? '' : 'warn'}">${s.agentConnected ? `connected, ${age ?? '?'} s ago`
            : age == null ? 'no agent' : `silent for ${age} s`}</td>
          <td>${bar(s.cpuMillis.allocated, s.cpuMillis.capacity)} ${+(s.cpuMillis.allocated / 1000).toFixed(1)} / ${+(s.cpuMillis.capacity / 1000).toFixed(1)} cores</td>
          <td>${bar(s.memoryMib.allocated, s.memoryMib.capacity)} ${gib(s.memoryMib.allocated)} / ${gib(s.memoryMib.capacity)} GiB</td>
          <td class="gpus" data-gpu-count="${packed.gpuMilli.length}">${packed.gpuMilli.map((m, i) => cell(m, packed.gpuHealth[i]))}</td>
          <td>${s.gpus.map(g => `${g.free}/${g.total} ${g.model}`).join(', ')}${unhealthy ? html` <span class="warn">${unhealthy} unhealthy</span>` : ''}</td>
        </tr>`;
      }));
    await refreshDetail();
  }

  async function refreshDetail() {
    const box = $('#server-detail', el);
    if (!selected) { box.replaceChildren(); return; }
    let s;
    try {
      s = await api(`/api/v1/servers/${encodeURIComponent(selected)}/allocation`);
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) {
        setHtml(box, html`<div class="card"><p class="error">Server ${selected} is not known.</p></div>`);
        return;
      }
      throw e;
    }
    setHtml(box, html`<div class="card" id="server-${s.server}">
      <h2>${s.server} <span class="hint">rack ${s.rack}</span> ${badge(s.state)}${s.stateReason ? html` <span class="hint">${s.stateReason}</span>` : ''}</h2>
      <table class="grid" id="accelerators-table">
        <thead><tr><th>GPU</th><th>Model</th><th>Memory</th><th>Health</th><th>Allocated</th><th>Held by</th></tr></thead>
        <tbody>${s.accelerators.length === 0 ? html`<tr><td colspan="6" class="empty">No accelerators.</td></tr>`
          : s.accelerators.map(a => html`<tr>
            <td class="num">${a.index}</td><td>${a.model}</td><td>${gib(a.memoryMib)} GiB</td>
            <td>${badge(a.health)}</td>
            <td>${bar(a.allocatedMilli, 1000)} ${a.allocatedMilli / 10} %</td>
            <td>${a.holders.map(h => html`<a href="#/jobs/${h.jobId}">${h.jobName}</a> (${h.tenant}, rank ${h.rank}, ${h.milliGpu / 10} %) `)}</td>
          </tr>`)}</tbody>
      </table></div>`);
  }

  return { refresh, unmount() {} };
}
