import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { writeEnrolment } from '../apps/store-agent/src/core/config.js';
import { launchBrowser, pageErrors, type TestBrowser } from './support/browser.js';
import { Fixture, agentStatus, startAgent } from './support/procs.js';
import { request } from './support/http.js';

/**
 * Issue 11 case 5: any web page in any browser on the till's PC can reach the agent on 127.0.0.1. A real agent
 * process, a real Chromium, and a page served by another program (another port: same site, other origin) that
 * fires what needs no preflight: a no-cors fetch with no body, and a plain form POST. Neither may close the day;
 * the agent's own page still does.
 */
const WAIT = 90_000;

let browser: TestBrowser;
beforeAll(async () => {
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
});

function evilPage(agentUrl: string): string {
  return `<!doctype html><html><body>
<form id="f" method="POST" action="${agentUrl}/api/v1/days/2026-11-21/close" target="sink"></form>
<iframe name="sink" id="sink"></iframe>
<script>
  fetch('${agentUrl}/api/v1/days/2026-11-20/close', { method: 'POST', mode: 'no-cors' })
    .then(() => { document.title += ' fetched'; }, (e) => { document.title += ' fetch-failed ' + e; });
  document.getElementById('sink').addEventListener('load', () => { document.title += ' posted'; }, { once: true });
  document.getElementById('f').submit();
</script></body></html>`;
}

describe('a page of another origin', () => {
  const fx = new Fixture();
  let server: Server | null = null;
  afterEach(async () => {
    await fx.cleanup();
    await new Promise<void>((res) => (server ? server.close(() => res()) : res()));
    server = null;
  });

  it('cannot close the store day through the agent; the agent own UI can', async () => {
    const dataDir = fx.tempDir('outpost-agent-');
    writeEnrolment(dataDir, {
      centralUrl: 'http://127.0.0.1:9',
      storeId: 'store-o',
      deviceId: '01890a5d-ac96-774b-bcce-b302099a8057',
      token: 'test-token-0123456789abcdef',
      deviceName: 'Till 1',
      currency: 'EUR',
    });
    const agent = await startAgent(fx, { dataDir });

    server = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end(evilPage(agent.url)));
    await new Promise<void>((res) => server!.listen(0, '127.0.0.1', res));
    const evilUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const evil = await browser.page();
    await evil.goto(evilUrl);
    await evil.waitForFunction(() => document.title.includes('fetched') && document.title.includes('posted'), null, { timeout: WAIT });
    expect(await evil.title()).not.toContain('fetch-failed');
    await evil.close();
    expect(await agentStatus(agent)).toMatchObject({ pendingUp: 0, lastAckedSeq: 0 });

    // The same refusal, seen from a script: a house-shaped 403, whatever the body.
    const forged = await request('POST', `${agent.url}/api/v1/days/2026-11-22/close`, { headers: { origin: evilUrl.slice(0, -1), 'sec-fetch-site': 'same-site' } });
    expect(forged).toMatchObject({ status: 403, body: { error: { code: 'forbidden_origin' } } });
    expect((await agentStatus(agent)).pendingUp).toBe(0);

    // The associate UI, served by the agent itself, closes the day.
    const page = await browser.page();
    const errors = pageErrors(page);
    page.setDefaultTimeout(WAIT);
    await page.goto(agent.url);
    await page.getByRole('link', { name: 'Day close' }).click();
    const close = page.locator('#screen-close');
    await close.getByLabel('Business day').fill('2026-11-20');
    await close.getByRole('button', { name: 'Close day…' }).click();
    await close.getByRole('button', { name: 'Yes, close the day' }).click();
    await close.locator('#close-msg', { hasText: '2026-11-20 is closed' }).waitFor({ state: 'visible' });
    expect(await agentStatus(agent)).toMatchObject({ pendingUp: 1 });
    expect(errors).toEqual([]);
    await page.close();
  });
});
