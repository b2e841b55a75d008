/** One line of a chart: its points, and how it is drawn. */
export interface ChartSeries {
  name: string;
  colour: string;
  points: { x: number; y: number }[];
  /** A circle at each point (measured figures; a derived line such as "linear" has none). */
  dots?: boolean;
  dashed?: boolean;
}

export interface ChartSpec {
  width: number;
  height: number;
  /** The SVG's accessible title (biome's a11y lint asks for one). */
  title: string;
  heading: string;
  subtitle: string;
  xLabel: string;
  /** The x values to label. */
  xTicks: number[];
  /** Where an x value sits along the axis, from 0 to 1. */
  xFraction: (x: number) => number;
  /** Room above the highest point, as a factor of it. */
  headroom: number;
  /** Decimals of a y-axis label. */
  yDigits: (value: number) => number;
  series: ChartSeries[];
}

const PAD = { left: 56, right: 110, top: 40, bottom: 44 };

/** A small standalone SVG line chart with its legend on the right, for docs/benchmarks.md. */
export function lineChartSvg(spec: ChartSpec): string {
  const { width, height } = spec;
  const top = Math.max(...spec.series.flatMap((s) => s.points.map((p) => p.y)));
  const maxY = top * spec.headroom || 1;
  const x = (value: number) => PAD.left + spec.xFraction(value) * (width - PAD.left - PAD.right);
  const y = (value: number) => height - PAD.bottom - (value / maxY) * (height - PAD.top - PAD.bottom);
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((t) => {
    const v = (maxY / spec.headroom) * t;
    return `<text x="${PAD.left - 6}" y="${y(v) + 4}" font-size="10" text-anchor="end">${v.toFixed(spec.yDigits(v))}</text><line x1="${PAD.left}" x2="${width - PAD.right}" y1="${y(v)}" y2="${y(v)}" stroke="#eee"/>`;
  });
  const xTicks = spec.xTicks.map(
    (value) =>
      `<text x="${x(value)}" y="${height - PAD.bottom + 16}" font-size="10" text-anchor="middle">${value}</text>`,
  );
  const lines = spec.series.map((series, i) => {
    const path = series.points
      .map((p, j) => `${j === 0 ? 'M' : 'L'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`)
      .join(' ');
    const stroke = series.dashed ? ' stroke-dasharray="4 3" stroke-width="1.5"' : ' stroke-width="2"';
    const dots = series.dots
      ? series.points
          .map((p) => `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3" fill="${series.colour}"/>`)
          .join('')
      : '';
    return `<path d="${path}" fill="none" stroke="${series.colour}"${stroke}/>${dots}<text x="${width - PAD.right + 10}" y="${PAD.top + 16 + i * 18}" fill="${series.colour}" font-size="12">${series.name}</text>`;
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" role="img">
<title>${spec.title}</title>
<rect width="100%" height="100%" fill="white"/>
<text x="${PAD.left}" y="16" font-size="13">${spec.heading}</text>
<text x="${PAD.left}" y="29" font-size="10" fill="#555">${spec.subtitle}</text>
${yTicks.join('\n')}
${xTicks.join('\n')}
<text x="${(PAD.left + width - PAD.right) / 2}" y="${height - 8}" font-size="11" text-anchor="middle">${spec.xLabel}</text>
${lines.join('\n')}
</svg>
`;
}
