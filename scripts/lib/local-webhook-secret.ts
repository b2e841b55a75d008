import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * `pnpm start` without WEBHOOK_SECRET: a signing secret of this checkout, made
 * once and kept in .data/webhook-secret (mode 0600) so that a local receiver can
 * verify signatures across restarts. Production sets WEBHOOK_SECRET.
 */
export function localWebhookSecret(file = path.join(root, '.data', 'webhook-secret')): string {
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true });
  const secret = `whsec_${randomBytes(32).toString('base64')}`;
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  process.stdout.write(`created a webhook signing secret in ${path.relative(process.cwd(), file)}\n`);
  return secret;
}
