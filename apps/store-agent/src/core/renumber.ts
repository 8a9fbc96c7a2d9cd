/**
 * Where a device's events go when central holds some of its seqs with other event ids (the data folder was
 * restored from an older copy, or cloned onto a second PC). A plain function over the cursors; Outbox.renumber
 * applies it. Event ids are kept, so nothing is captured twice and a till's retry still finds its document.
 */
export interface RenumberInput {
  /** The first seq central holds with another event id. */
  conflictSeq: number;
  /** Central's stored seq when it refused. */
  storedSeq: number;
  /** This device's highest captured seq. */
  lastSeq: number;
  /** Highest seq sent to central in this connection (central may have stored those above storedSeq since). */
  highestSent: number;
}

export interface RenumberPlan {
  /** Rows from..to move up by `shift` (their order is kept). */
  from: number;
  to: number;
  shift: number;
  /** Everything up to central's stored seq is accounted for: ours verified, or the other copy's. */
  ackedSeq: number;
  lastSeq: number;
}

export function planRenumber(i: RenumberInput): RenumberPlan | null {
  const { conflictSeq: f, storedSeq: s, lastSeq: last, highestSent } = i;
  if (!(f >= 1 && f <= s && f <= last)) return null;
  if (highestSent <= s) {
    // Nothing above central's seq left this device yet: the whole tail moves up in one piece, keeping its order
    // (seq f becomes storedSeq + 1).
    const shift = s + 1 - f;
    return { from: f, to: last, shift, ackedSeq: s, lastSeq: last + shift };
  }
  // Events above central's seq may already be stored under their seqs: leave them, and move only the seqs that
  // collide with central's (f..storedSeq) behind everything this device has.
  const to = Math.min(s, last);
  const shift = Math.max(last, s) + 1 - f;
  return { from: f, to, shift, ackedSeq: s, lastSeq: Math.max(last, to + shift) };
}
