import { centralApi } from '@outpost/shared';
import { writeEnrolment, type Enrolment } from './config.js';
import { describeTlsFailure, postJson } from './central-tls.js';
import { EnrolmentError } from './ui-routes.js';

export interface EnrolOptions {
  dataDir: string;
  central: string;
  code: string;
  deviceName: string;
  currency?: string | undefined;
  /** PEM of the CA that signed central's certificate (besides the system's CAs); kept in agent.json. */
  centralCa?: string | undefined;
  /** How long to wait for central before saying it cannot be reached. */
  timeoutMs?: number;
}

/**
 * Trades a one-time enrolment code for a device token at central and writes `<data-dir>/agent.json`. The one
 * enrolment path of `outpost-agent enroll` and of the UI's enrolment screen (service.ts); every refusal is an
 * EnrolmentError whose message says what to do next.
 */
export async function enrolDevice(o: EnrolOptions): Promise<Enrolment> {
  const centralUrl = o.central.trim().replace(/\/+$/, '');
  const currency = o.currency ?? 'EUR';
  if (!/^[A-Z]{3}$/.test(currency)) throw new EnrolmentError(400, 'validation_error', `currency must be an ISO 4217 code such as EUR, got ${currency}`);
  let res: { status: number; text: string };
  try {
    res = await postJson(`${centralUrl}/api/v1/enroll`, { code: o.code, deviceName: o.deviceName }, { centralCa: o.centralCa, timeoutMs: o.timeoutMs ?? 15_000 });
  } catch (e) {
    const tls = describeTlsFailure(e, centralUrl);
    if (tls) throw new EnrolmentError(502, 'central_certificate_unverified', tls);
    throw new EnrolmentError(
      502,
      'central_unreachable',
      `cannot reach central at ${centralUrl}: ${(e as Error).message}. Check the address and the network, then try again`,
    );
  }
  const text = res.text;
  let body: unknown = null;
  try {
    body = JSON.parse(text);
  } catch {
    // reported below
  }
  if (res.status < 200 || res.status > 299) {
    const err = (body as { error?: { code?: string; message?: string } } | null)?.error;
    const hint = res.status === 401 || res.status === 403 ? '. Ask central IT for a new enrolment code' : '';
    throw new EnrolmentError(
      422,
      'enrolment_refused',
      `central refused the enrolment (${res.status}${err?.code ? ` ${err.code}` : ''}): ${err?.message ?? text.slice(0, 300)}${hint}`,
      { centralStatus: res.status, centralError: err ?? null },
    );
  }
  const parsed = centralApi.enrollResponse.safeParse(body);
  if (!parsed.success) {
    throw new EnrolmentError(502, 'bad_central_answer', `central answered the enrolment with an unexpected body (is ${centralUrl} an Outpost central?): ${text.slice(0, 300)}`);
  }
  const enrolment: Enrolment = { centralUrl, ...parsed.data, deviceName: o.deviceName, currency, ...(o.centralCa ? { centralCa: o.centralCa } : {}) };
  writeEnrolment(o.dataDir, enrolment);
  return enrolment;
}
