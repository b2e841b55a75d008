import {
  type Attributes,
  type Context,
  context,
  isSpanContextValid,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  TraceFlags,
  trace,
} from '@opentelemetry/api';
import { suppressTracing } from '@opentelemetry/core';

/**
 * Our own spans and the trace context a job carries between processes. Everything here is a
 * no-op returning at once while tracing is off (no exporter configured): the job path pays
 * nothing for it then, not even the OpenTelemetry API's no-op spans.
 */

let started = false;
let flush: () => Promise<void> = async () => {};

/** Called once by startTracing, after the SDK registered its tracer provider; `exportRest` flushes its buffer. */
export function markTracingStarted(exportRest: () => Promise<void>): void {
  started = true;
  flush = exportRest;
}

/** The last shutdown step: export the spans still buffered (the batch processor's, every few seconds otherwise). */
export function flushTraces(): Promise<void> {
  return flush();
}

/** The shutdown step of every process: nothing to do while tracing is off. */
export const FLUSH_TRACES_STEP = { name: 'export the last spans', run: flushTraces } as const;

/** Whether this process exports traces (startTracing found an exporter configured). */
export const tracingActive = (): boolean => started;

const tracer = () => trace.getTracer('infer');

/**
 * Run `fn` in a span of ours (the active one while it runs, a child of the active span); an
 * error it throws is recorded and marks the span failed. Outside any trace (a background
 * sweep) no span is made: our spans are parts of a job's trace, never traces of their own.
 * `span` is undefined then, and while tracing is off.
 */
export async function inSpan<T>(
  name: string,
  attributes: Attributes,
  fn: (span: Span | undefined) => Promise<T>,
): Promise<T> {
  if (!started || !trace.getActiveSpan()) return fn(undefined);
  return tracer().startActiveSpan(name, { attributes }, async (span) => {
    try {
      return await fn(span);
    } catch (error) {
      span.recordException(error as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error).message });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** A span of ours whose times were measured elsewhere (a batch's wait and run), child of the active span. */
export function recordSpan(name: string, startMs: number, endMs: number, attributes: Attributes): void {
  if (!started || !trace.getActiveSpan()) return;
  tracer().startSpan(name, { startTime: startMs, attributes }).end(endMs);
}

/** W3C `traceparent` of a context's span (the active one by default); undefined while off or without a span. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  if (!started) return undefined;
  const span = trace.getSpanContext(ctx);
  if (!span || !isSpanContextValid(span)) return undefined;
  const flags = (span.traceFlags & TraceFlags.SAMPLED) === TraceFlags.SAMPLED ? '01' : '00';
  return `00-${span.traceId}-${span.spanId}-${flags}`;
}

/** Trace and span id of the active span when its trace is sampled (an unsampled one is never stored, so nothing may link to it). */
export function sampledSpanIds(): { trace_id: string; span_id: string } | undefined {
  if (!started) return undefined;
  const span = trace.getSpanContext(context.active());
  if (!span || !isSpanContextValid(span) || (span.traceFlags & TraceFlags.SAMPLED) !== TraceFlags.SAMPLED) {
    return undefined;
  }
  return { trace_id: span.traceId, span_id: span.spanId };
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** The trace id of a stored `traceparent` (what a job shows as `trace_id`). */
export function traceIdOf(traceparent: string | undefined): string | undefined {
  return traceparent ? TRACEPARENT.exec(traceparent)?.[1] : undefined;
}

/** A context whose parent is the span a stored `traceparent` names (ROOT_CONTEXT if it names none). */
export function contextOf(traceparent: string | undefined): Context {
  const match = traceparent ? TRACEPARENT.exec(traceparent) : null;
  if (!match) return ROOT_CONTEXT;
  const [, traceId = '', spanId = '', flags = '00'] = match;
  const parent = { traceId, spanId, traceFlags: Number.parseInt(flags, 16), isRemote: true };
  return isSpanContextValid(parent) ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT;
}

/**
 * Run `fn` outside whatever trace is active: background work a job starts but does not wait for
 * (a shadow run) would otherwise hang its spans under the job's span after that span ended.
 */
export function outsideTraces<T>(fn: () => T): T {
  if (!started) return fn();
  return context.with(ROOT_CONTEXT, fn);
}

/** Run `fn` in the trace a stored `traceparent` names (a background relay continuing a job's trace). */
export function withTraceparent<T>(traceparent: string | undefined, fn: () => T): T {
  if (!started || !traceparent) return fn();
  return context.with(contextOf(traceparent), fn);
}

/**
 * The trace of one job of a batch: a `job` span of its own, in a new trace linked to the
 * request that made it, so that a batch of a thousand images gives a thousand bounded traces
 * rather than one giant one. Returns its `traceparent` (undefined while off).
 */
export function startJobTrace(jobId: string, attributes: Attributes = {}): string | undefined {
  if (!started) return undefined;
  const request = trace.getSpanContext(context.active());
  const span = tracer().startSpan(
    'job',
    {
      root: true,
      kind: SpanKind.INTERNAL,
      attributes: { 'infer.job.id': jobId, ...attributes },
      links: request && isSpanContextValid(request) ? [{ context: request }] : [],
    },
    ROOT_CONTEXT,
  );
  span.end();
  return traceparentOf(trace.setSpan(ROOT_CONTEXT, span));
}

/** Run `fn` with tracing suppressed: no client span and no `traceparent` on what it sends. */
export function withoutTracing<T>(fn: () => T): T {
  if (!started) return fn();
  return context.with(suppressTracing(context.active()), fn);
}
