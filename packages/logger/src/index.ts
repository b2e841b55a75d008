import { isSpanContextValid, trace } from '@opentelemetry/api';
import { type DestinationStream, type Logger, pino } from 'pino';

export type { Logger } from 'pino';

export type LogFormat = 'auto' | 'json' | 'pretty';

/**
 * One logger per process; child loggers carry requestId/jobId. JSON lines for
 * machines (a pipe, a container log); readable colour lines on a terminal
 * (`format: 'auto'`, LOG_FORMAT), formatted by pino-pretty off the main thread.
 * A line written inside a trace carries its `trace_id` and `span_id`.
 */
export function createLogger(options: {
  level: string;
  name: string;
  format?: LogFormat;
  /** JSON lines to this stream instead of stdout (the API's in-process test harness reads them). */
  destination?: DestinationStream;
}): Logger {
  const format = options.format ?? 'auto';
  const pretty = !options.destination && (format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true));
  const settings = {
    name: options.name,
    level: options.level,
    base: { service: options.name, pid: process.pid },
    timestamp: pino.stdTimeFunctions.isoTime,
    mixin: traceIds,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie'], censor: '[redacted]' },
    ...(pretty
      ? {
          transport: {
            target: 'pino-pretty',
            options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname,service', messageKey: 'msg' },
          },
        }
      : {}),
  };
  return options.destination ? pino(settings, options.destination) : pino(settings);
}

/** `trace_id` and `span_id` of the active span; nothing while tracing is off (no span is ever active then). */
function traceIds(): object {
  const span = trace.getActiveSpan()?.spanContext();
  // A fresh object: pino merges the line's own fields into it.
  if (!span || !isSpanContextValid(span)) return {};
  return { trace_id: span.traceId, span_id: span.spanId };
}
