import Fastify from 'fastify';
import fp from 'fastify-plugin';
import { describe, expect, it } from 'vitest';
import { accessPlugin } from './plugin.js';

describe('routes must say who may call them', () => {
  it('a route without config.access stops the app from starting, naming the route', async () => {
    const app = Fastify();
    await app.register(fp(async () => {}, { name: 'outpost-db' }));
    await app.register(accessPlugin, { adminToken: 'x'.repeat(32) });
    await app.after();
    app.get('/fine', { config: { access: 'public' } }, async () => 'ok');
    expect(() => app.post('/forgotten', async () => 'oops')).toThrow(/POST \/forgotten declares no access/);
    await app.close();
  });
});
