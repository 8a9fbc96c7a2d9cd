import fp from 'fastify-plugin';
import type { Database } from './database.js';

declare module 'fastify' {
  interface FastifyInstance {
    db: Database;
  }
}

export interface DbPluginOptions {
  db: Database;
  /** Close the pool with the app (false when the caller owns the pool, e.g. tests sharing one). */
  closeOnShutdown: boolean;
}

/** The database as a shared service: decorated once, closed last (onClose runs in reverse registration order). */
export const dbPlugin = fp<DbPluginOptions>(
  async (app, opts) => {
    app.decorate('db', opts.db);
    if (opts.closeOnShutdown) app.addHook('onClose', async () => opts.db.close());
  },
  { name: 'outpost-db', fastify: '5.x' },
);
