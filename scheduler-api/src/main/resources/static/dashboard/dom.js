// Building HTML safely: every value interpolated into html`...` is escaped unless it is itself html`...` (or raw()).

class Safe {
  constructor(text) { this.text = text; }
  toString() { return this.text; }
}

const ESCAPES = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function esc(value) {
  return String(value ?? '').replace(/[&<>"']/g, c => ESCAPES[c]);
}

function part(value) {
  if (value instanceof Safe) return value.text;
  if (Array.isArray(value)) return value.map(part).join('');
  return esc(value);
}

export function html(strings, ...values) {
  let out = strings[0];
  for (let i = 0; i < values.length; i++) out += part(values[i]) + strings[i + 1];
  return new Safe(out);
}

/** Trusted markup (never user or server data). */
export function raw(text) { return new Safe(text); }

/** Sets el's content to html`...` markup, a list of them, or text (escaped). */
export function setHtml(el, content) {
  el.innerHTML = part(content);
}

export const $ = (selector, root = document) => root.querySelector(selector);

/** "3 s", "4 min", "2 h 5 min", "3 d" */
export function duration(seconds) {
  if (seconds == null || Number.isNaN(seconds)) return '';
  const s = Math.max(0, Math.round(seconds));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
  return `${Math.floor(s / 86400)} d`;
}

export function since(instant) {
  return instant ? duration((Date.now() - Date.parse(instant)) / 1000) : '';
}

export function time(instant) {
  return instant ? new Date(instant).toLocaleString() : '';
}

/** GPUs from milli-GPU: "2", "0.5", "1.25" */
export function gpus(milli) {
  return String(+(milli / 1000).toFixed(2));
}

export function percent(ratio) {
  return `${(100 * (ratio || 0)).toFixed(1)} %`;
}

export function badge(state) {
  return html`<span class="badge state-${String(state).toLowerCase()}">${state}</span>`;
}

/** A share bar: used of total (0 total = empty bar). */
export function bar(used, total, label) {
  const share = total > 0 ? Math.min(1, used / total) : 0;
  const level = share >= 0.9 ? 'high' : share >= 0.6 ? 'mid' : 'low';
  return html`<span class="bar" title="${label ?? ''}"><span class="fill ${level}" style="width:${(share * 100).toFixed(1)}%"></span></span>`;
}
