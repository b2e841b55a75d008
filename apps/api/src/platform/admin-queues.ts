import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { AppError } from '@infer/contracts';
import { inferenceQueueLabel, WEBHOOK_QUEUE_NAME } from '@infer/queues';
import type { RedisClient } from '@infer/redis';
import { Queue } from 'bullmq';
import { type RequestHandler, Router } from 'express';
import type { Authenticator } from './auth.ts';
import { pageHeaders } from './pages.route.ts';

export const ADMIN_QUEUES_PATH = '/admin/queues';

export interface AdminQueuesOptions {
  /** The inference queues (one per model). */
  inference: Queue[];
  connection: RedisClient;
  prefix: string;
  auth: Authenticator | undefined;
  /** Principals (`key:<name>`, `jwt:<sub>`) allowed in while auth is on (ADMIN_PRINCIPALS). */
  admins: readonly string[];
  /** Retry, promote, clean and remove from the dashboard (ADMIN_QUEUES_WRITABLE); read-only otherwise. */
  writable: boolean;
}

/**
 * `/admin/queues`: bull-board over every queue (each model's inference queue and
 * the webhook deliveries). A browser cannot attach a bearer token to a page, so
 * with auth on the dashboard takes HTTP Basic credentials (any user name, the API
 * key or JWT as the password) or a bearer header, and only ADMIN_PRINCIPALS pass.
 */
export function adminQueuesRoute(options: AdminQueuesOptions): { router: Router; close: () => Promise<void> } {
  const webhooks = new Queue(WEBHOOK_QUEUE_NAME, { connection: options.connection, prefix: options.prefix });
  const adapter = new ExpressAdapter().setBasePath(ADMIN_QUEUES_PATH);
  const readOnlyMode = !options.writable;
  createBullBoard({
    queues: [
      // Shown by the model queue's name (and shard), not by the hash tag BullMQ's name carries for Redis Cluster.
      ...options.inference.map(
        (queue) =>
          new BullMQAdapter(queue, {
            readOnlyMode,
            description: 'inference jobs',
            displayName: inferenceQueueLabel(queue.name),
          }),
      ),
      new BullMQAdapter(webhooks, { readOnlyMode, description: 'webhook deliveries', displayName: 'webhooks' }),
    ],
    serverAdapter: adapter,
    options: { uiConfig: { boardTitle: 'Inference queues' } },
  });
  const router = Router();
  router.use(
    ADMIN_QUEUES_PATH,
    // bull-board's page asks for web fonts from the internet; the policy keeps it to this origin (system fonts).
    pageHeaders("style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:"),
    requireAdmin(options.auth, options.admins),
    adapter.getRouter(),
  );
  return { router, close: () => webhooks.close() };
}

const BASIC_CHALLENGE = 'Basic realm="infer admin", charset="UTF-8"';

function requireAdmin(auth: Authenticator | undefined, admins: readonly string[]): RequestHandler {
  return async (req, res, next) => {
    res.setHeader('Cache-Control', 'no-store');
    if (!auth) return next();
    const token = credentialOf(req.headers.authorization);
    if (!token) {
      throw new AppError('unauthorized', 'the queue dashboard needs an admin API key (as the Basic password)', {
        headers: { 'WWW-Authenticate': BASIC_CHALLENGE },
      });
    }
    const principal = await auth.authenticate(token).catch((error: unknown) => {
      if (error instanceof AppError && error.code === 'unauthorized') {
        throw new AppError('unauthorized', error.message, { headers: { 'WWW-Authenticate': BASIC_CHALLENGE } });
      }
      throw error;
    });
    // The admin scope (a JWT's scope claim) admits too, as on the model routing routes.
    if (!admins.includes(principal.id) && !principal.scopes?.includes('admin')) {
      throw new AppError('forbidden', `${principal.id} is not in ADMIN_PRINCIPALS`, {
        details: { principal: principal.id },
      });
    }
    next();
  };
}

/** The token of `Bearer <token>`, or the password of `Basic base64(user:password)`. */
function credentialOf(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const bearer = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (bearer) return bearer[1];
  const basic = /^Basic[ ]+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!basic) return undefined;
  const decoded = Buffer.from(basic[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return colon === -1 ? undefined : decoded.slice(colon + 1) || undefined;
}
