import { describe, expect, it } from 'vitest';
import { foreignOriginRefusal } from './origin-guard.js';

const post = (h: { origin?: string; site?: string; host?: string }) =>
  foreignOriginRefusal({ method: 'POST', host: h.host ?? '127.0.0.1:8090', origin: h.origin, secFetchSite: h.site });

describe('foreignOriginRefusal', () => {
  it('lets through reads, non-browser clients and the agent own page', () => {
    expect(foreignOriginRefusal({ method: 'GET', host: '127.0.0.1:8090', origin: 'http://evil.example', secFetchSite: 'cross-site' })).toBeNull();
    expect(post({})).toBeNull();
    expect(post({ origin: 'http://127.0.0.1:8090', site: 'same-origin' })).toBeNull();
    expect(post({ origin: 'http://localhost', host: 'LOCALHOST:80' })).toBeNull();
    expect(post({ origin: 'http://[::1]:8090', host: '[::1]:8090' })).toBeNull();
    expect(post({ site: 'none' })).toBeNull();
  });

  it('refuses pages of other origins, other ports of loopback included, bodies or not', () => {
    expect(post({ origin: 'http://127.0.0.1:9999', site: 'same-site' })).toMatch(/same-site/);
    expect(post({ origin: 'http://127.0.0.1:9999' })).toMatch(/127\.0\.0\.1:9999/);
    expect(post({ site: 'cross-site' })).toMatch(/cross-site/);
    expect(post({ origin: 'null' })).not.toBeNull();
    expect(post({ origin: 'file://' })).not.toBeNull();
    expect(foreignOriginRefusal({ method: 'POST', host: undefined, origin: 'http://127.0.0.1:8090', secFetchSite: undefined })).not.toBeNull();
    expect(foreignOriginRefusal({ method: 'delete', host: 'h:1', origin: 'https://h:2', secFetchSite: undefined })).not.toBeNull();
  });
});
