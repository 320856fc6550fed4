// Latency charts with uPlot (~50 KB minified): canvas time series that redraw in well under
// a millisecond for an hour of minutes, with no dependencies. Three lines: p50, p95, p99.
import uPlot from 'uplot'
import { fmtMs } from './dom.js'

const HEIGHT = 170

export function createChart (el) {
  const width = () => Math.max(200, el.clientWidth || 300)
  const opts = {
    width: width(),
    height: HEIGHT,
    legend: { show: true, live: false },
    cursor: { drag: { x: false, y: false } },
    scales: { x: { time: true }, y: { range: (_u, min, max) => [0, Math.max(10, (max ?? 0) * 1.1)] } },
    axes: [
      { stroke: '#8a94a6', grid: { stroke: '#8a94a622' }, ticks: { stroke: '#8a94a644' } },
      { stroke: '#8a94a6', grid: { stroke: '#8a94a622' }, ticks: { stroke: '#8a94a644' }, size: 66, values: (_u, vals) => vals.map(v => fmtMs(v)) }
    ],
    series: [
      {},
      { label: 'p50', stroke: '#2b7de9', width: 2, points: { show: true, size: 4 }, value: (_u, v) => fmtMs(v) },
      { label: 'p95', stroke: '#e9a82b', width: 2, points: { show: true, size: 4 }, value: (_u, v) => fmtMs(v) },
      { label: 'p99', stroke: '#e9452b', width: 2, points: { show: true, size: 4 }, value: (_u, v) => fmtMs(v) }
    ]
  }
  const plot = new uPlot(opts, [[], [], [], []], el)
  let last = el.clientWidth
  const ro = new ResizeObserver(() => {
    if (el.clientWidth === last) return
    last = el.clientWidth
    plot.setSize({ width: width(), height: HEIGHT })
  })
  ro.observe(el)
  return {
    update (data) { plot.setData(data) }
  }
}
