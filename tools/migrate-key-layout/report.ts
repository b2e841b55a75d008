import type { KindCount } from './context.ts';
import type { MigrationReport } from './migrate.ts';

const line = ({ kind, count, note }: KindCount, width: number) =>
  `  ${kind.padEnd(width)} ${String(count).padStart(9)}${note ? `  (${note})` : ''}`;

/** The summary an operator reads: what moved per kind, what was dropped, what stays, what is wrong. */
export function formatReport(report: MigrationReport, where: string): string {
  const all = [...report.moved, ...report.unchanged];
  const width = Math.max(...all.map(({ kind }) => kind.length));
  const out = [
    report.dryRun
      ? `Dry run on ${where}: nothing changed. A run would move:`
      : `Moved on ${where} in ${(report.durationMs / 1000).toFixed(1)} s:`,
    ...report.moved.filter(({ dropped }) => !dropped).map((kind) => line(kind, width)),
    report.dryRun ? 'and drop:' : 'Dropped:',
    ...report.moved.filter(({ dropped }) => dropped).map((kind) => line(kind, width)),
    'Left as they are (named alike in the new layout):',
    ...report.unchanged.map((kind) => line(kind, width)),
  ];
  const { count, examples } = report.leftovers;
  if (count > 0) {
    out.push(
      report.dryRun
        ? `${count} key(s) of no known kind would be left under the old names, e.g. ${examples.join(', ')}`
        : `${count} old-layout key(s) were NOT moved and remain, e.g. ${examples.join(', ')}`,
    );
  }
  for (const warning of report.warnings) out.push(`Warning: ${warning}`);
  for (const blocker of report.blockers) out.push(`A run would refuse: ${blocker}`);
  return `${out.join('\n')}\n`;
}
