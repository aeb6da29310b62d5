// One job: its state and why, the loss and accuracy curve, where its workers run, its events and its live logs.
import { api } from '../api.js';
import { chart } from '../charts.js';
import { $, html, setHtml, badge, time, duration } from '../dom.js';

const MAX_LOG_LINES = 5000;
const TERMINAL = ['SUCCEEDED', 'FAILED', 'CANCELLED'];

export function mount(el, { id }) {
  setHtml(el, html`
    <p class="crumbs"><a href="#/jobs">Jobs</a> /</p>
    <div id="job-head"></div>
    <div class="card">
      <h2>Loss and accuracy</h2>
      <div class="chart" id="loss-chart" data-points="0"></div>
      <p class="hint" id="loss-hint"></p>
    </div>
    <div class="columns">
      <div class="card">
        <h2>Placement</h2>
        <table class="grid" id="placement-table">
          <thead><tr><th class="num">Rank</th><th>Group</th><th>Server</th><th>GPUs</th><th>Share</th><th>State</th><th>Exit</th>
            <th>Message</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
      <div class="card">
        <h2>Events</h2>
        <table class="grid" id="events-table">
          <thead><tr><th>Time</th><th>From</th><th>To</th><th>Reason</th></tr></thead>
          <tbody></tbody>
        </table>
      </div>
    </div>
    <div class="card">
      <div class="card-head"><h2>Logs</h2>
        <label><input type="checkbox" id="follow" checked> follow</label></div>
      <pre id="logs" class="logs"></pre>
    </div>`);
  const loss = chart($('#loss-chart', el));
  const logs = $('#logs', el);
  let after = 0;
  let lineCount = 0;

  el.addEventListener('click', async e => {
    if (e.target.id !== 'cancel-job') return;
    e.target.disabled = true;
    try { await api(`/api/v1/jobs/${id}/cancel`, { method: 'POST' }); } catch (err) { alert(err.message); }
    refresh().catch(console.error);
  });

  async function refreshLogs() {
    // every page of new lines since the last one we have, oldest first
    for (let pages = 0; pages < 10; pages++) {
      const page = await api(`/api/v1/jobs/${id}/logs?after=${after}&limit=1000`);
      if (page.lines.length === 0) break;
      after = page.next;
      const text = page.lines.map(l => `[${l.rank}] ${new Date(l.at).toLocaleTimeString()}  ${l.text}`).join('\n') + '\n';
      logs.append(document.createTextNode(text));
      lineCount += page.lines.length;
      while (lineCount > MAX_LOG_LINES && logs.firstChild) {
        lineCount -= (logs.firstChild.textContent.match(/\n/g) || []).length;
        logs.firstChild.remove();
      }
      if ($('#follow', el).checked) logs.scrollTop = logs.scrollHeight;
      if (page.lines.length < 1000) break;
    }
  }

  async function refresh() {
    const j = await api(`/api/v1/jobs/${id}`);
    const running = j.startedAt ? ((j.finishedAt ? Date.parse(j.finishedAt) : Date.now()) - Date.parse(j.startedAt)) / 1000 : null;
    const groups = j.spec.taskGroups.map(g => `${g.replicas ?? 1} x ${g.name} (${g.gpus ?? 0} GPU`
      + `${g.milliGpu && g.milliGpu < 1000 ? ` at ${g.milliGpu / 10} %` : ''}, ${(g.cpuMillis ?? 0) / 1000} CPU, ${g.memoryMib ?? 0} MiB)`);
    setHtml($('#job-head', el), html`
      <div class="title-row"><h1 id="job-name">${j.name}</h1> <span id="job-state">${badge(j.state)}</span>
        <span class="spacer"></span>
        ${TERMINAL.includes(j.state) ? '' : html`<button type="button" id="cancel-job" class="danger">Cancel job</button>`}</div>
      <dl class="facts">
        <dt>Id</dt><dd><code>${j.id}</code></dd>
        <dt>Tenant</dt><dd>${j.tenant}</dd>
        <dt>Priority</dt><dd>${j.priority}</dd>
        <dt>Attempt</dt><dd>${j.attempt} (failures ${j.failures} of ${j.retries} retries)</dd>
        <dt>Runtime</dt><dd>${j.spec.runtime?.type ?? ''}</dd>
        <dt>Asks for</dt><dd>${groups.join('; ')}</dd>
        <dt>Created</dt><dd>${time(j.createdAt)}</dd>
        <dt>Started</dt><dd>${time(j.startedAt)}</dd>
        <dt>Finished</dt><dd>${time(j.finishedAt)}</dd>
        <dt>Run time</dt><dd>${running == null ? '' : duration(running)}${j.maxRunSeconds ? ` (at most ${duration(j.maxRunSeconds)})` : ''}</dd>
        ${j.pendingReason ? html`<dt>Pending because</dt><dd class="reason" id="pending-reason">${j.pendingReason}</dd>` : ''}
        ${j.message ? html`<dt>Message</dt><dd class="reason">${j.message}</dd>` : ''}
      </dl>`);

    const metrics = j.metrics ?? [];
    const hasAccuracy = metrics.some(m => m.accuracy != null);
    loss.set({
      tooltip: { trigger: 'axis' },
      legend: { top: 0 },
      grid: { left: 60, right: 60, top: 30, bottom: 40 },
      xAxis: { type: 'value', name: 'epoch', nameLocation: 'middle', nameGap: 25, minInterval: 1,
        min: 1, max: Math.max(1, ...metrics.map(m => m.epoch)) },
      yAxis: [
        { type: 'value', name: 'loss', scale: true },
        { type: 'value', name: 'accuracy', min: 0, max: 1, show: hasAccuracy, splitLine: { show: false } },
      ],
      series: [
        { name: 'loss', type: 'line', symbolSize: 5, data: metrics.map(m => [m.epoch, m.loss]) },
        ...(hasAccuracy ? [{ name: 'accuracy', type: 'line', symbolSize: 5, yAxisIndex: 1,
          data: metrics.filter(m => m.accuracy != null).map(m => [m.epoch, m.accuracy]) }] : []),
      ],
    }, true);
    const chartEl = $('#loss-chart', el);
    chartEl.dataset.points = String(metrics.length);
    const last = metrics[metrics.length - 1];
    $('#loss-hint', el).textContent = metrics.length === 0
      ? 'No epochs reported yet (embedded training jobs report loss and accuracy after every epoch).'
      : `${metrics.length} epochs; last loss ${last.loss.toFixed(4)}${last.accuracy != null ? `, accuracy ${(100 * last.accuracy).toFixed(1)} %` : ''}`
        + `${last.samplesPerSecond ? `, ${Math.round(last.samplesPerSecond).toLocaleString()} samples/s` : ''}.`;

    setHtml($('#placement-table tbody', el), j.placement.length === 0
      ? html`<tr><td colspan="8" class="empty">Not placed.</td></tr>`
      : j.placement.map(w => html`<tr>
          <td class="num">${w.rank}</td><td>${w.taskGroup}</td>
          <td><a href="#/nodes?server=${encodeURIComponent(w.server)}">${w.server}</a></td>
          <td>${w.gpuIndices.join(', ')}</td><td>${w.gpuIndices.length ? `${w.milliGpu / 10} %` : ''}</td>
          <td>${badge(w.state)}</td><td class="num">${w.exitCode ?? ''}</td><td class="reason">${w.message ?? ''}</td></tr>`));
    setHtml($('#events-table tbody', el), j.events.map(e => html`<tr>
        <td>${time(e.at)}</td><td>${e.from ?? ''}</td><td>${badge(e.to)}</td><td class="reason">${e.reason ?? ''}</td></tr>`));
    await refreshLogs();
  }

  return { refresh, unmount() { loss.dispose(); } };
}
