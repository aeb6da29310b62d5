// Charts are drawn by Apache ECharts (served from its WebJar), as SVG so they stay crisp and inspectable.
import * as echarts from '/webjars/echarts/5.3.1/dist/echarts.esm.min.js';

export const COLORS = ['#2563eb', '#f97316', '#16a34a', '#9333ea', '#dc2626', '#0891b2'];

/** An ECharts instance on el that follows el's size; update with set(option), release with dispose(). */
export function chart(el) {
  const instance = echarts.init(el, null, { renderer: 'svg' });
  const observer = new ResizeObserver(() => instance.resize());
  observer.observe(el);
  return {
    set(option, replace = false) { instance.setOption({ color: COLORS, animation: false, ...option }, replace); },
    dispose() { observer.disconnect(); instance.dispose(); },
  };
}
