import { describe, expect, it } from 'vitest';
import { serverSentEvents } from './sse.ts';

const streamOf = (chunks: string[]) =>
  new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(new TextEncoder().encode(chunk));
      controller.close();
    },
  });

describe('serverSentEvents', () => {
  it('parses events split anywhere across chunks, skipping comments', async () => {
    const text =
      ': keep-alive\n\nid: queued\nevent: status\ndata: {"a":1}\n\nid: succeeded\r\nevent: status\r\ndata: {"b":\r\ndata: 2}\r\n\r\n';
    const chunks = text.match(/.{1,7}/gs) as string[];
    const events = [];
    for await (const event of serverSentEvents(streamOf(chunks))) events.push(event);
    expect(events).toEqual([
      { id: 'queued', event: 'status', data: '{"a":1}' },
      { id: 'succeeded', event: 'status', data: '{"b":\n2}' },
    ]);
  });
});
