import { lineChartSvg } from './line-chart.ts';
import type { ModelResult, ScaleOutResult } from './results.ts';

/** A line chart of images/s against clients, one line per system. */
export function throughputSvg(model: ModelResult): string {
  const colours: Record<string, string> = { raw: '#777777', ours: '#1f77b4', peer: '#d62728' };
  const clients = [...new Set(Object.values(model.points).flatMap((points) => points.map((p) => p.clients)))].sort(
    (a, b) => a - b,
  );
  return lineChartSvg({
    width: 520,
    height: 300,
    title: `${model.title}: images/s of raw, ours and the peer by concurrent clients`,
    heading: `${model.title}: images/s by concurrent clients`,
    subtitle: model.image,
    xLabel: 'clients (closed loop)',
    xTicks: clients,
    // Client counts grow by factors: evenly spaced, not to scale.
    xFraction: (c) => clients.indexOf(c) / Math.max(1, clients.length - 1),
    headroom: 1.1,
    yDigits: (v) => (v < 10 ? 1 : 0),
    series: Object.entries(model.points).map(([system, points]) => ({
      name: system,
      colour: colours[system] ?? '#000',
      points: points.map((p) => ({ x: p.clients, y: p.perSecond })),
      dots: true,
    })),
  });
}

/** Jobs/s against worker processes, with the linear line the stand-in allows. */
export function scaleOutSvg(result: ScaleOutResult): string {
  const workers = result.points.map((p) => p.workers);
  const maxX = Math.max(...workers);
  return lineChartSvg({
    width: 640,
    height: 320,
    title: 'Scale-out: jobs/s by worker processes with a GPU stand-in, against linear',
    heading: 'Scale-out: jobs/s by worker processes (GPU stand-in)',
    subtitle: `${result.batchMs} ms per batch of up to ${result.maxBatchSize}, no CPU; tiny jobs, 8 clients per worker`,
    xLabel: 'worker processes',
    xTicks: workers,
    xFraction: (w) => w / maxX,
    headroom: 1.05,
    yDigits: () => 0,
    series: [
      {
        name: 'ours',
        colour: '#1f77b4',
        points: result.points.map((p) => ({ x: p.workers, y: p.jobsPerSecond })),
        dots: true,
      },
      {
        name: 'linear',
        colour: '#999',
        points: result.points.map((p) => ({ x: p.workers, y: p.linearJobsPerSecond })),
        dashed: true,
      },
    ],
  });
}
