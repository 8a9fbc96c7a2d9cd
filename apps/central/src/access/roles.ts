import { z } from 'zod';

/**
 * Who may call what. Every route says which roles it admits in its own definition (`config: { access }`), and
 * central refuses to start with a route that says nothing, so a route added later cannot be open by mistake.
 * `admin` is admitted everywhere a token is needed.
 */
export const ROLES = ['admin', 'operator', 'viewer', 'integration'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

/** `public`: no token at all (health, enrolment, the console's static files). Otherwise the roles admitted. */
export type Access = 'public' | readonly Role[];

export const access = {
  public: 'public',
  /** Read-only views of the fleet, events, reports, metrics. */
  read: ['admin', 'operator', 'viewer'],
  /** Running the fleet: stores, enrolment codes, revoke, rotate, replays, items, receipts. */
  operate: ['admin', 'operator'],
  /** Tokens, the audit log, ERP connector settings (they hold credentials). */
  admin: ['admin'],
  /** What the order system reads: reservations and stock. */
  ordersRead: ['admin', 'operator', 'viewer', 'integration'],
  /** Placing reservations: the order system only (and admin). */
  ordersWrite: ['admin', 'integration'],
  /** Cancelling a reservation: the order system, or an operator on the customer's behalf. */
  ordersCancel: ['admin', 'operator', 'integration'],
} as const satisfies Record<string, Access>;

export function admits(a: Access, role: Role): boolean {
  return a !== 'public' && (role === 'admin' || a.includes(role));
}

/** Who is calling: the bootstrap admin token given at start, or a stored token. */
export interface Principal {
  tokenId: string;
  name: string;
  role: Role;
}

export const BOOTSTRAP_PRINCIPAL: Principal = { tokenId: 'bootstrap', name: 'bootstrap admin token', role: 'admin' };
