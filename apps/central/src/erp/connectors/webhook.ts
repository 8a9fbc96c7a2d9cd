import { centralApi } from '@outpost/shared';
import { signBody } from '../../platform/index.js';
import type { ErpConnector, ErpPosting, PostOutcome } from '../connector.js';

// `--erp webhook`: each posting is one signed JSON POST to the retailer's own endpoint. The Idempotency-Key is the
// posting id, so a receiver that applies each key once turns our at-least-once delivery into exactly once.
// Optional look-up for reconciliation: `GET <url>/<postingId>` answers 200 {ref} when held, 404 when not.

export interface WebhookErpOptions {
  url: string;
  /** HMAC-SHA256 key of the X-Outpost-Signature header. */
  secret: string;
}

/** The body a receiver gets (documented in the README). */
export interface ErpWebhookBody {
  type: 'erp.posting';
  postingId: string;
  storeId: string;
  correlationId: string;
  document: ErpPosting['document'];
}

/** 2xx posted; 408, 429, 5xx and network failures are transient; any other answer is the receiver refusing it. */
export function classifyStatus(status: number): 'ok' | 'retry' | 'refused' {
  if (status >= 200 && status < 300) return 'ok';
  return status === 408 || status === 429 || status >= 500 ? 'retry' : 'refused';
}

function networkError(err: unknown): string {
  const e = err as Error & { cause?: { code?: string; message?: string } };
  return `${e.name}: ${e.cause?.code ?? e.cause?.message ?? e.message}`;
}

export function createWebhookConnector(opts: WebhookErpOptions): ErpConnector {
  const base = opts.url.replace(/\/+$/, '');
  return {
    name: 'webhook',
    async post(p: ErpPosting, signal?: AbortSignal): Promise<PostOutcome> {
      const payload: ErpWebhookBody = { type: 'erp.posting', postingId: p.postingId, storeId: p.storeId, correlationId: p.correlationId, document: p.document };
      const body = JSON.stringify(payload);
      let res: Response;
      try {
        res = await fetch(opts.url, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            [centralApi.WEBHOOK_SIGNATURE_HEADER]: signBody(opts.secret, body),
            [centralApi.WEBHOOK_IDEMPOTENCY_HEADER]: p.postingId,
            'x-correlation-id': p.correlationId,
          },
          body,
          ...(signal ? { signal } : {}),
        });
      } catch (err) {
        return { ok: false, retryable: true, error: `webhook not reachable: ${networkError(err)}` };
      }
      const text = await res.text().catch(() => '');
      const kind = classifyStatus(res.status);
      if (kind !== 'ok') {
        return { ok: false, retryable: kind === 'retry', error: `webhook answered HTTP ${res.status}${text ? `: ${text.slice(0, 1000)}` : ''}`, details: { status: res.status } };
      }
      let answer: { ref?: unknown; duplicate?: unknown } = {};
      try {
        answer = text ? (JSON.parse(text) as typeof answer) : {};
      } catch {
        // A 2xx without JSON is still "accepted"; the posting id is then the only reference.
      }
      return { ok: true, erpRef: typeof answer.ref === 'string' ? answer.ref : p.postingId, alreadyPosted: answer.duplicate === true };
    },
    async lookup(postingId: string): Promise<string | null> {
      const res = await fetch(`${base}/${encodeURIComponent(postingId)}`, {
        headers: { [centralApi.WEBHOOK_SIGNATURE_HEADER]: signBody(opts.secret, postingId) },
        signal: AbortSignal.timeout(10_000),
      });
      if (res.status === 404) return null;
      if (!res.ok) throw new Error(`webhook look-up of ${postingId} answered HTTP ${res.status}`);
      const answer = (await res.json().catch(() => ({}))) as { ref?: unknown };
      return typeof answer.ref === 'string' ? answer.ref : postingId;
    },
    async close() {
      // fetch keeps no connection of ours open.
    },
  };
}
