// Text that must pass through HTML (an ECharts tooltip formatter returns markup): no DOM API.
/** Text for a place that takes HTML (an ECharts tooltip formatter): every markup character escaped. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** Tooltip lines as HTML: each line's text (run names, params: from whoever logged the run) escaped. */
export function tooltipHtml(lines: readonly string[]): string {
  return lines.map(escapeHtml).join('<br>');
}
