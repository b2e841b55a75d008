export interface SseEvent {
  event: string;
  data: string;
  id: string | undefined;
}

/**
 * Parse a text/event-stream body as it arrives (per the WHATWG SSE rules that
 * matter here: fields, comments, blank-line dispatch); ends with the stream.
 */
export async function* sseEvents(response: Response): AsyncGenerator<SseEvent> {
  if (!response.body) return;
  const decoder = new TextDecoder();
  let buffer = '';
  let event: Partial<SseEvent> & { dataLines: string[] } = { dataLines: [] };
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline = buffer.indexOf('\n');
    while (newline >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      newline = buffer.indexOf('\n');
      if (line === '') {
        if (event.dataLines.length > 0) {
          yield { event: event.event ?? 'message', data: event.dataLines.join('\n'), id: event.id };
        }
        event = { dataLines: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') event.dataLines.push(value);
      else if (field === 'event') event.event = value;
      else if (field === 'id') event.id = value;
    }
  }
}
