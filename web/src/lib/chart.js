// A per-day bar chart in plain SVG: total accesses and violations per day.
const NS = 'http://www.w3.org/2000/svg';

function el(tag, attrs = {}, text = '') {
  const node = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  if (text) node.textContent = text;
  return node;
}

// days: [{day: 'YYYY-MM-DD', total, violations}] oldest first.
// labels: {title, total, violations}. The chart has a title and a text
// description for screen readers; colours also differ by pattern (stroke).
export function dayChart(days, labels) {
  const width = Math.max(560, days.length * 36 + 60);
  const height = 220;
  const left = 44;
  const bottom = 40;
  const top = 16;
  const max = Math.max(1, ...days.map((d) => d.total));
  const plotH = height - bottom - top;
  const barW = Math.max(8, Math.min(28, (width - left - 10) / Math.max(1, days.length) - 8));
  const svg = el('svg', { viewBox: `0 0 ${width} ${height}`, width, height, role: 'img', 'aria-labelledby': 'chart-title chart-desc', class: 'chart' });
  svg.append(el('title', { id: 'chart-title' }, labels.title));
  svg.append(el('desc', { id: 'chart-desc' }, days.map((d) => `${d.day}: ${labels.total} ${d.total}, ${labels.violations} ${d.violations}`).join('; ')));
  for (let i = 0; i <= 4; i++) {
    const v = Math.round((max * i) / 4);
    const y = top + plotH - (plotH * i) / 4;
    svg.append(el('line', { x1: left, x2: width - 4, y1: y, y2: y, class: 'grid' }));
    svg.append(el('text', { x: left - 6, y: y + 4, 'text-anchor': 'end', class: 'axis' }, String(v)));
  }
  days.forEach((d, i) => {
    const x = left + 8 + i * (barW + 8);
    const hTotal = (plotH * d.total) / max;
    const hViol = (plotH * d.violations) / max;
    const g = el('g', {});
    g.append(el('rect', { x, y: top + plotH - hTotal, width: barW, height: hTotal, class: 'bar-total' }));
    if (d.violations > 0) g.append(el('rect', { x, y: top + plotH - hViol, width: barW, height: hViol, class: 'bar-violation' }));
    g.append(el('title', {}, `${d.day}: ${labels.total} ${d.total}, ${labels.violations} ${d.violations}`));
    svg.append(g);
    if (days.length <= 16 || i % Math.ceil(days.length / 16) === 0) {
      svg.append(el('text', { x: x + barW / 2, y: height - bottom + 16, 'text-anchor': 'middle', class: 'axis' }, d.day.slice(5)));
    }
  });
  const legendY = height - 8;
  svg.append(el('rect', { x: left, y: legendY - 10, width: 12, height: 12, class: 'bar-total' }));
  svg.append(el('text', { x: left + 16, y: legendY, class: 'axis' }, labels.total));
  svg.append(el('rect', { x: left + 110, y: legendY - 10, width: 12, height: 12, class: 'bar-violation' }));
  svg.append(el('text', { x: left + 126, y: legendY, class: 'axis' }, labels.violations));
  return svg;
}
