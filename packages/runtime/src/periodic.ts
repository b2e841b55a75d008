/**
 * Run `task` every `intervalMs`, never two at once (a slow round is not stacked
 * with the next), errors reported to `onError` and the loop kept going; `stop()`
 * waits for a round in progress. The timer does not keep the process alive.
 */
export function runPeriodically(
  task: () => Promise<unknown>,
  intervalMs: number,
  onError: (error: unknown) => void,
): { stop: () => Promise<void> } {
  let running: Promise<void> | undefined;
  const timer = setInterval(() => {
    running ??= task()
      .then(() => undefined, onError)
      .finally(() => {
        running = undefined;
      });
  }, intervalMs);
  timer.unref();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
