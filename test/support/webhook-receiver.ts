import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** When it arrived (Date.now()). */
  at: number;
}

/** How the receiver answers its n-th request (0-based): a status (and headers), or hang until the client gives up. */
export type Reply = { status: number; headers?: Record<string, string>; body?: string } | 'hang';
export type Responder = (request: ReceivedRequest, index: number) => Reply;

/**
 * A real HTTP endpoint on 127.0.0.1 standing in for a client's webhook
 * receiver: records every request and answers as the test scripts it.
 */
export class WebhookReceiver {
  readonly requests: ReceivedRequest[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];
  private server: Server | undefined;
  private responder: Responder;
  private portNumber: number;
  private readonly host: string;

  private constructor(responder: Responder, portNumber: number, host: string) {
    this.responder = responder;
    this.portNumber = portNumber;
    this.host = host;
  }

  /** Listen on `host`:`port` (0 = any free one; a container reaches the host's bridge address, not 127.0.0.1). */
  static async start(
    responder: Responder = () => ({ status: 204 }),
    port = 0,
    host = '127.0.0.1',
  ): Promise<WebhookReceiver> {
    const receiver = new WebhookReceiver(responder, port, host);
    await receiver.listen();
    return receiver;
  }

  get port(): number {
    return this.portNumber;
  }

  url(path = '/hook'): string {
    return `http://127.0.0.1:${this.portNumber}${path}`;
  }

  respondWith(responder: Responder): void {
    this.responder = responder;
  }

  private listen(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const request: ReceivedRequest = {
          method: req.method ?? '',
          path: req.url ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString('utf8'),
          at: Date.now(),
        };
        const index = this.requests.length;
        this.requests.push(request);
        this.answer(res, this.responder(request, index));
        this.waiters = this.waiters.filter((waiter) => {
          if (this.requests.length < waiter.count) return true;
          waiter.resolve();
          return false;
        });
      });
    });
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.portNumber, this.host, () => {
        this.portNumber = (server.address() as AddressInfo).port;
        resolve();
      });
    });
  }

  private answer(res: ServerResponse, reply: Reply): void {
    if (reply === 'hang') return; // never answers; the socket closes when the client gives up
    res.writeHead(reply.status, reply.headers).end(reply.body ?? '');
  }

  /** Resolve once `count` requests have arrived in total (rejects after `timeoutMs`, naming what did arrive). */
  waitForRequests(count: number, timeoutMs = 20_000): Promise<ReceivedRequest[]> {
    if (this.requests.length >= count) return Promise.resolve(this.requests.slice());
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`expected ${count} webhook requests within ${timeoutMs} ms, got ${this.requests.length}`));
      }, timeoutMs);
      this.waiters.push({
        count,
        resolve: () => {
          clearTimeout(timer);
          resolve(this.requests.slice());
        },
      });
    });
  }

  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
}
