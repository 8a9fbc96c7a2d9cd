import type pg from 'pg';
import { tokenRotateAckSchema } from '@outpost/shared';
import { confirmToken, offerToken } from './token-rotation.js';

export interface TokenRotatorLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export interface TokenRotatorDeps {
  pool: pg.Pool;
  deviceId: string;
  /** sha256 of the token this connection proved at its handshake. */
  tokenHash: string;
  /** Emit `token.rotate` and wait for its ack (rejects on timeout or disconnect). */
  send: (token: string) => Promise<unknown>;
  /** Drop the connection: used when the ack never came, so the agent's next handshake tells which token it holds. */
  disconnect: () => void;
  log: TokenRotatorLog;
}

export interface TokenRotator {
  /** Rotate this connection's token now; asked during a rotation under way, once more after it. */
  rotate(): Promise<void>;
}

/** One connection's token rotation: offer a new token, send it, confirm it on the agent's ack. */
export function createTokenRotator(d: TokenRotatorDeps): TokenRotator {
  let busy = false;
  let again = false;
  let dropped = false;
  const drop = () => {
    dropped = true;
    d.disconnect();
  };
  let current = d.tokenHash;
  const log = { deviceId: d.deviceId };

  async function run(): Promise<void> {
    const offer = await offerToken(d.pool, d.deviceId, current);
    if (!offer) return void d.log.info(log, 'token rotation skipped: this connection\'s token is no longer the device\'s');
    let answer: unknown;
    try {
      answer = await d.send(offer.token);
    } catch {
      // Stored or not, we cannot tell: the next handshake says (the new token confirms itself there; with the
      // old one, the offer is simply replaced by the next rotation). A second offer on this socket could strand
      // an agent that stored the first one, so this connection ends here.
      d.log.warn(log, 'token.rotate was not acknowledged; dropping the connection');
      drop();
      return;
    }
    const ack = tokenRotateAckSchema.safeParse(answer);
    if (!ack.success) {
      d.log.warn(log, 'token.rotate answered with an unknown shape; dropping the connection');
      drop();
      return;
    }
    if (!ack.data.ok) {
      // The agent could not store it and keeps using the old token; the unconfirmed offer does no harm.
      d.log.warn({ ...log, reason: `${ack.data.error.code}: ${ack.data.error.message}` }, 'agent did not store its new token');
      return;
    }
    if (await confirmToken(d.pool, d.deviceId, offer.hash)) {
      current = offer.hash;
      d.log.info(log, 'device token rotated');
    }
  }

  return {
    async rotate() {
      if (dropped) return;
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      try {
        do {
          again = false;
          await run();
        } while (again && !dropped);
      } finally {
        busy = false;
      }
    },
  };
}
