// Compare runs: a metric against step for every run, parallel coordinates (params → a
// metric), a scatter of one param against one metric, and a side-by-side diff of params
// and metrics. No cap on the number of runs: ECharts draws on canvas, without animation,
// with large-data sampling on the line chart.
import '@vscode-elements/elements/dist/vscode-checkbox/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import { LineChart, ParallelChart, ScatterChart } from 'echarts/charts';
import { GridComponent, LegendComponent, ParallelComponent, TooltipComponent } from 'echarts/components';
import * as echarts from 'echarts/core';
import { CanvasRenderer } from 'echarts/renderers';
import { h } from '../common/dom';
import { tooltipHtml } from '../common/html';
import type { CompareState, CompareWebviewState, FromCompare, Series, ToCompare, ViewRun } from '../../src/webview/contract/experiments';
import { byStep, paramText, runLabels } from '../../src/webview/contract/experiments';
import { connect } from '../common/host';

echarts.use([LineChart, ScatterChart, ParallelChart, GridComponent, LegendComponent, ParallelComponent, TooltipComponent, CanvasRenderer]);

const vscode = connect<FromCompare, ToCompare, CompareWebviewState>();
let ui: CompareWebviewState = vscode.getState() ?? {};
let state: CompareState | undefined;
const root = document.getElementById('root')!;

function save(next: Partial<CompareWebviewState>): void {
  ui = { ...ui, ...next };
  vscode.setState(ui);
}

let labels = new Map<string, string>();
const label = (r: ViewRun): string => labels.get(r.id) ?? r.name;

function css(name: string, fallback: string): string {
  return getComputedStyle(document.body).getPropertyValue(name).trim() || fallback;
}

/** A palette that stays readable in light and dark themes; runs beyond it reuse it. */
const PALETTE = ['#3794ff', '#f14c4c', '#23d18b', '#e5c07b', '#c678dd', '#56b6c2', '#d19a66', '#98c379', '#e06c75', '#61afef', '#b180d7', '#4ec9b0'];
const colorOf = (i: number): string => PALETTE[i % PALETTE.length];

function select(options: readonly string[], value: string | undefined, onChange: (v: string) => void, label: string): HTMLElement {
  const sel = document.createElement('vscode-single-select') as HTMLElement & { value: string };
  sel.setAttribute('aria-label', label);
  for (const o of options) {
    const opt = document.createElement('vscode-option') as HTMLElement & { value: string };
    opt.setAttribute('value', o);
    opt.textContent = o;
    if (o === value) opt.setAttribute('selected', '');
    sel.append(opt);
  }
  sel.addEventListener('change', () => onChange(sel.value));
  return sel;
}

const charts: echarts.ECharts[] = [];
function chart(el: HTMLElement): echarts.ECharts {
  const c = echarts.init(el, undefined, { renderer: 'canvas' });
  charts.push(c);
  return c;
}
new ResizeObserver(() => charts.forEach((c) => c.resize())).observe(document.body);

function axisStyle(): Record<string, unknown> {
  const fg = css('--vscode-foreground', '#ccc');
  const grid = css('--vscode-panel-border', '#444');
  return { axisLine: { lineStyle: { color: grid } }, axisLabel: { color: fg }, splitLine: { lineStyle: { color: grid, opacity: 0.4 } }, nameTextStyle: { color: fg } };
}

const isNumeric = (runs: readonly ViewRun[], key: string): boolean => runs.every((r) => r.params[key] === undefined || (r.params[key] !== '' && !Number.isNaN(Number(r.params[key]))));

let lineChart: echarts.ECharts | undefined;
let lineCard: HTMLElement | undefined;

function renderHistory(metric: string, series: Readonly<Record<string, Series>>, error?: string): void {
  if (!state || !lineChart || !lineCard) return;
  const s = state;
  lineCard.querySelector('.error')?.remove();
  if (error) lineCard.append(h('div', 'error', error));
  const many = s.runs.length > 12;
  lineChart.setOption(
    {
      animation: false,
      tooltip: { trigger: many ? 'item' : 'axis', confine: true },
      legend: many ? { show: false } : { show: true, type: 'scroll', top: 0, left: 'center', textStyle: { color: css('--vscode-foreground', '#ccc') } },
      grid: { left: 60, right: 20, top: many ? 20 : 40, bottom: 40 },
      xAxis: { type: 'value', name: s.strings.step ?? 'step', nameLocation: 'middle', nameGap: 25, ...axisStyle() },
      yAxis: { type: 'value', name: metric, scale: true, ...axisStyle() },
      series: s.runs.map((r, i) => ({
        type: 'line',
        name: label(r),
        data: byStep(series[r.id]),
        showSymbol: byStep(series[r.id]).length <= 1,
        sampling: 'lttb',
        large: true,
        lineStyle: { width: 1.5, color: colorOf(i) },
        itemStyle: { color: colorOf(i) },
        emphasis: { focus: 'series' },
      })),
    },
    { notMerge: true },
  );
  lineChart.getDom().dataset.metric = metric;
  document.body.dataset.historyMetric = metric;
}

function renderParallel(el: HTMLElement, metric: string): void {
  if (!state) return;
  const s = state;
  const params = s.paramKeys.filter((k) => new Set(s.runs.map((r) => r.params[k])).size > 1).slice(0, 12);
  // Nothing varies: say so, rather than a chart of one axis that looks blank.
  if (params.length === 0) el.parentElement?.querySelector('.controls')?.after(h('p', 'muted no-param-differs', s.strings.noParamDiffers ?? 'No param differs between these runs.'));
  const dims = [...params, metric];
  // Whether each param axis is numeric, decided once (not once per run).
  const numeric = params.map((k) => isNumeric(s.runs, k));
  const parallelAxis = dims.map((k, dim) => {
    const isMetric = dim === dims.length - 1;
    if (isMetric || numeric[dim]) return { dim, name: k, type: 'value', scale: true, ...axisStyle() };
    const cats = [...new Set(s.runs.map((r) => paramText(r.params[k]) || '∅'))].sort();
    return { dim, name: k, type: 'category', data: cats, ...axisStyle() };
  });
  const c = chart(el);
  c.setOption({
    animation: false,
    tooltip: { confine: true },
    parallel: { left: 40, right: 80, top: 40, bottom: 30, parallelAxisDefault: { nameTextStyle: { color: css('--vscode-foreground', '#ccc') } } },
    parallelAxis,
    series: [
      {
        type: 'parallel',
        lineStyle: { width: 1.5, opacity: 0.7 },
        data: s.runs.map((r, i) => ({
          name: label(r),
          value: dims.map((k, dim) => (dim === dims.length - 1 ? (r.metrics[k] ?? null) : numeric[dim] ? Number(r.params[k]) : paramText(r.params[k]) || '∅')),
          lineStyle: { color: colorOf(i) },
        })),
      },
    ],
  });
}

function renderScatter(el: HTMLElement, param: string, metric: string): void {
  if (!state) return;
  const s = state;
  const numeric = isNumeric(s.runs, param);
  const cats = numeric ? [] : [...new Set(s.runs.map((r) => paramText(r.params[param]) || '∅'))].sort();
  const c = chart(el);
  c.setOption({
    animation: false,
    tooltip: { confine: true, formatter: (p: { data: { name: string; value: [unknown, number] } }) => tooltipHtml([p.data.name, `${param}: ${String(p.data.value[0])}`, `${metric}: ${p.data.value[1]}`]) },
    grid: { left: 60, right: 20, top: 20, bottom: 40 },
    xAxis: numeric ? { type: 'value', name: param, nameLocation: 'middle', nameGap: 25, scale: true, ...axisStyle() } : { type: 'category', data: cats, name: param, nameLocation: 'middle', nameGap: 25, ...axisStyle() },
    yAxis: { type: 'value', name: metric, scale: true, ...axisStyle() },
    series: [
      {
        type: 'scatter',
        symbolSize: 9,
        data: s.runs
          .map((r, i) => ({ name: label(r), value: [numeric ? Number(r.params[param]) : paramText(r.params[param]) || '∅', r.metrics[metric]], itemStyle: { color: colorOf(i) } }))
          .filter((d) => d.value[1] !== undefined),
      },
    ],
  });
}

function renderDiff(container: HTMLElement, onlyDiffs: boolean): void {
  if (!state) return;
  const s = state;
  const table = h('table', 'diff');
  const head = h('tr');
  head.append(h('th', '', ''));
  s.runs.forEach((r, i) => {
    const th = h('th', '', label(r));
    th.style.borderTop = `3px solid ${colorOf(i)}`;
    th.title = r.id;
    head.append(th);
  });
  table.append(head);
  const section = (title: string, keys: readonly string[], get: (r: ViewRun, k: string) => string): void => {
    const tr = h('tr');
    const th = h('th', '', title);
    th.colSpan = s.runs.length + 1;
    tr.append(th);
    table.append(tr);
    for (const k of keys) {
      const values = s.runs.map((r) => get(r, k));
      const differs = new Set(values).size > 1;
      if (onlyDiffs && !differs) continue;
      const row = h('tr', differs ? 'differs' : '');
      row.append(h('td', '', k));
      for (const v of values) row.append(h('td', '', v));
      table.append(row);
    }
  };
  section(s.strings.params ?? 'Params', s.paramKeys, (r, k) => paramText(r.params[k]));
  section(s.strings.metrics ?? 'Metrics', s.metricKeys, (r, k) => (r.metrics[k] === undefined ? '' : String(Number(r.metrics[k].toPrecision(6)))));
  container.replaceChildren(table);
}

function render(): void {
  if (!state) return;
  const s = state;
  charts.splice(0).forEach((c) => c.dispose());
  root.replaceChildren();
  root.append(h('h1', '', s.title));
  if (s.runs.length === 0 || s.metricKeys.length === 0) {
    root.append(h('p', 'muted', s.strings.nothing ?? 'Nothing to compare.'));
    return;
  }
  const firstMetric = s.metricKeys[0];
  const pick = (v: string | undefined, list: readonly string[], fallback: string | undefined): string | undefined => (v && list.includes(v) ? v : fallback);
  const historyMetric = pick(ui.historyMetric, s.metricKeys, firstMetric)!;
  const parallelMetric = pick(ui.parallelMetric, s.metricKeys, firstMetric)!;
  const scatterMetric = pick(ui.scatterMetric, s.metricKeys, firstMetric)!;
  // The default param: the first that differs between the runs (a constant one draws a single column).
  const varies = s.paramKeys.find((k) => new Set(s.runs.map((r) => r.params[k])).size > 1);
  const scatterParam = pick(ui.scatterParam, s.paramKeys, varies ?? s.paramKeys[0]);

  const grid = h('div', 'charts');
  root.append(grid);

  /** A chart card in the grid: a title, its pickers, and the element the chart draws in. */
  const card = (kind: string, title: string, ...pickers: HTMLElement[]): { card: HTMLElement; el: HTMLElement } => {
    const c = h('section', `chart-card ${kind}`);
    const controls = h('div', 'controls');
    controls.append(h('span', '', title), ...pickers);
    const el = h('div', 'chart');
    c.append(controls, el);
    grid.append(c);
    return { card: c, el };
  };
  const rerender = (key: 'parallelMetric' | 'scatterParam' | 'scatterMetric') => (v: string): void => {
    save({ [key]: v });
    render();
  };

  // metric vs step
  const lines = card(
    'lines',
    s.strings.history ?? 'Metric by step',
    select(s.metricKeys, historyMetric, (v) => {
      save({ historyMetric: v });
      // Picking another metric before the first one's history came: only the newest is drawn.
      vscode.request({ type: 'history', metric: v });
    }, s.strings.history ?? 'Metric'),
  );
  lineCard = lines.card;
  lineChart = chart(lines.el);
  lineChart.showLoading('default', { text: '', color: css('--vscode-charts-blue', '#3794ff'), maskColor: 'transparent' });
  vscode.request({ type: 'history', metric: historyMetric });

  // parallel coordinates
  const parallel = card('parallel', s.strings.parallel ?? 'Params → metric', select(s.metricKeys, parallelMetric, rerender('parallelMetric'), s.strings.parallel ?? 'Metric'));
  renderParallel(parallel.el, parallelMetric);

  // scatter
  if (scatterParam) {
    const scatter = card('scatter', s.strings.scatter ?? 'Param vs metric', select(s.paramKeys, scatterParam, rerender('scatterParam'), 'Param'), select(s.metricKeys, scatterMetric, rerender('scatterMetric'), 'Metric'));
    renderScatter(scatter.el, scatterParam, scatterMetric);
  }

  // diff
  root.append(h('h2', '', s.strings.diff ?? 'Params and metrics side by side'));
  const only = document.createElement('vscode-checkbox') as HTMLElement & { checked: boolean };
  only.setAttribute('label', s.strings.onlyDiffs ?? 'Only differences');
  const wrap = h('div', 'diff-wrap');
  only.addEventListener('change', () => renderDiff(wrap, only.checked));
  root.append(only, wrap);
  renderDiff(wrap, false);
  document.body.dataset.comparedRuns = String(s.runs.length);
}

vscode.start((m) => {
  if (m.type === 'state') {
    state = m.state;
    labels = runLabels(m.state.runs);
    save({ restore: state.restore });
    render();
  } else if (m.type === 'history') {
    lineChart?.hideLoading();
    renderHistory(m.metric, m.series, m.error);
  }
});
