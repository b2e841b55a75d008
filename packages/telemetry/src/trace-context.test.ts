import { trace } from '@opentelemetry/api';
import { describe, expect, it } from 'vitest';
import { contextOf, inSpan, startJobTrace, traceIdOf, traceparentOf, withTraceparent } from './trace-context.ts';

const TRACEPARENT = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';

describe('a job trace context', () => {
  it('reads the trace id of a stored traceparent, and nothing from anything else', () => {
    expect(traceIdOf(TRACEPARENT)).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(traceIdOf(undefined)).toBeUndefined();
    expect(traceIdOf('01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01')).toBeUndefined();
    expect(traceIdOf('garbage')).toBeUndefined();
  });

  it('makes a remote parent of a stored traceparent', () => {
    expect(trace.getSpanContext(contextOf(TRACEPARENT))).toMatchObject({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      spanId: 'b7ad6b7169203331',
      traceFlags: 1,
      isRemote: true,
    });
    // The all-zero ids are invalid: no parent.
    expect(trace.getSpanContext(contextOf('00-00000000000000000000000000000000-b7ad6b7169203331-01'))).toBeUndefined();
  });

  it('does nothing while tracing is off (this process never started it)', async () => {
    expect(traceparentOf()).toBeUndefined();
    expect(startJobTrace('job-1')).toBeUndefined();
    expect(withTraceparent(TRACEPARENT, () => traceparentOf())).toBeUndefined();
    expect(await inSpan('x', {}, async (span) => span)).toBeUndefined();
  });
});
