import type { LoadPoint } from '../lib/load.ts';

/** A figure to `digits` decimals; '–' where the run has none. */
export const f = (value: number, digits = 1): string => (Number.isFinite(value) ? value.toFixed(digits) : '–');

export const clientsText = (clients: number) => `${clients} client${clients === 1 ? '' : 's'}`;

/** A system's point at this many clients, if it was measured there. */
export const pointAt = (points: readonly LoadPoint[] | undefined, clients: number) =>
  points?.find((p) => p.clients === clients);
