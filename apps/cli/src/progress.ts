import cliProgress from 'cli-progress';

export interface Progress {
  /** One more input done (`ok` false when it did not succeed). */
  tick(ok: boolean): void;
  stop(): void;
}

const formatSeconds = (seconds: number) =>
  !Number.isFinite(seconds) ? '?' : seconds >= 90 ? `${Math.round(seconds / 60)} min` : `${Math.round(seconds)} s`;

/**
 * A bar with count, rate and ETA (cli-progress) when stderr is a terminal; otherwise a plain line every
 * `intervalMs`, which logs and CI output keep readable. Both go to stderr: stdout may carry the records.
 */
export function startProgress(total: number, options: { intervalMs?: number; tty?: boolean } = {}): Progress {
  const started = Date.now();
  let done = 0;
  let failed = 0;
  const rate = () => done / Math.max((Date.now() - started) / 1000, 1e-3);

  if (options.tty ?? process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: '{bar} {value}/{total} | {rate} images/s | ETA {eta_formatted} | {failed} failed',
        etaBuffer: 50,
        fps: 10,
        hideCursor: true,
        clearOnComplete: false,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: '0.0', failed: 0 });
    return {
      tick(ok) {
        done++;
        if (!ok) failed++;
        bar.update(done, { rate: rate().toFixed(1), failed });
      },
      stop: () => bar.stop(),
    };
  }

  const line = () => {
    const left = (total - done) / rate();
    const percent = total === 0 ? 100 : Math.floor((done / total) * 100);
    process.stderr.write(
      `infer: ${done}/${total} (${percent} %), ${rate().toFixed(1)} images/s, ETA ${formatSeconds(left)}, ${failed} failed\n`,
    );
  };
  const timer = setInterval(line, options.intervalMs ?? 5000);
  timer.unref();
  return {
    tick(ok) {
      done++;
      if (!ok) failed++;
    },
    stop() {
      clearInterval(timer);
      line();
    },
  };
}
