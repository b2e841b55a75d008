import { isTerminal, type JobView } from '@infer/contracts';
import type { Request, Response } from 'express';
import type { JobEvents } from './job-events.ts';

/** Longest `Prefer: wait` honoured; longer asks are cut to it (and `Preference-Applied` says so). */
export const MAX_WAIT_SECONDS = 60;

/**
 * The `wait` preference of RFC 7240 (`Prefer: wait=10`, possibly among others:
 * `Prefer: respond-async, wait=10`), in seconds, capped at MAX_WAIT_SECONDS.
 * A malformed value is ignored, as RFC 7240 asks of preferences a server cannot apply.
 */
export function preferredWait(header: string | string[] | undefined): number | undefined {
  if (header === undefined) return undefined;
  const preferences = (Array.isArray(header) ? header.join(',') : header).split(',');
  for (const preference of preferences) {
    const [token] = preference.split(';');
    const match = /^\s*wait\s*(?:=\s*"?(\d{1,9})"?)?\s*$/i.exec(token ?? '');
    // A bare `wait` (as Replicate's clients send it) means as long as the API waits at all.
    if (match) return match[1] === undefined ? MAX_WAIT_SECONDS : Math.min(Number(match[1]), MAX_WAIT_SECONDS);
  }
  return undefined;
}

/** How a waiter looks at one job: its full view, and (optionally) a cheap look at whether it is worth reading. */
export interface JobReader {
  read: () => Promise<JobView>;
  settled?: () => Promise<boolean>;
}

/**
 * Long-polling on job state (`Prefer: wait=N`), driven by the job-events
 * channel: a waiting request costs a map entry, not a Redis poll loop.
 */
export class JobWaiter {
  private readonly events: JobEvents;

  constructor(events: JobEvents) {
    this.events = events;
  }

  /**
   * Read the job until it is terminal, `seconds` have passed, `signal` aborts or the
   * process shuts down, re-reading only when an event says it ended (or the subscription
   * reconnected). Subscribes before the first read, so a job that ends in between is not missed.
   */
  async waitForTerminal(
    id: string,
    seconds: number,
    read: () => Promise<JobView>,
    signal?: AbortSignal,
    settled?: () => Promise<boolean>,
  ): Promise<JobView> {
    const deadline = Date.now() + seconds * 1000;
    let woken = false;
    // Woken by the job's own terminal event: its record says so already, no need to look first.
    let ended = false;
    let wake: (() => void) | undefined;
    const unwatch = await this.events.watch(id, (event) => {
      if (event && !isTerminal(event.status)) return;
      woken = true;
      ended ||= event !== undefined;
      wake?.();
    });
    // The caller's signal (the client went away), and the process shutting down.
    const stops = signal ? [signal, this.events.closingSignal] : [this.events.closingSignal];
    try {
      for (;;) {
        const byEvent = ended;
        woken = false;
        ended = false;
        // `settled` is a cheap look (one HMGET) at whether the full view is worth reading yet:
        // while the job waits or runs, its view (a queue position lookup while queued) is not needed.
        const over = () => deadline - Date.now() <= 0 || stops.some((stop) => stop.aborted);
        if (!settled || byEvent || over() || (await settled())) {
          const job = await read();
          if (isTerminal(job.status) || over()) return job;
        }
        if (!woken) await sleepUntilWoken(deadline - Date.now(), stops, (resolve) => (wake = resolve));
        wake = undefined;
      }
    } finally {
      unwatch();
    }
  }

  /**
   * For handlers: with `Prefer: wait=N` wait for the job (see waitForTerminal),
   * set `Preference-Applied`, and return the job to answer with; without the
   * preference return undefined and leave the answer to the caller. `job` is
   * what the caller already knows (a terminal one is answered at once).
   */
  async waitIfPreferred(
    req: Request,
    res: Response,
    job: Pick<JobView, 'id' | 'status'>,
    reader: JobReader,
  ): Promise<JobView | undefined> {
    const seconds = preferredWait(req.headers.prefer);
    res.vary('Prefer');
    if (seconds === undefined) return undefined;
    res.setHeader('Preference-Applied', `wait=${seconds}`);
    if (isTerminal(job.status) && 'result' in job) return job as JobView;
    // Stop waiting when the client goes away (its listener must not outlive it).
    const gone = new AbortController();
    const onClose = () => gone.abort();
    res.once('close', onClose);
    try {
      return await this.waitForTerminal(job.id, seconds, reader.read, gone.signal, reader.settled);
    } finally {
      res.off('close', onClose);
    }
  }
}

function sleepUntilWoken(ms: number, signals: readonly AbortSignal[], setWake: (wake: () => void) => void) {
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      for (const signal of signals) signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    for (const signal of signals) signal.addEventListener('abort', done, { once: true });
    setWake(done);
  });
}
