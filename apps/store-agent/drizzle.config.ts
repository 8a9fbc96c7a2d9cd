import { defineConfig } from 'drizzle-kit';

// Migrations are generated into ./drizzle and shipped with the app; the engine applies them at open.
export default defineConfig({
  dialect: 'sqlite',
  schema: './src/core/db/schema.ts',
  out: './drizzle',
});
