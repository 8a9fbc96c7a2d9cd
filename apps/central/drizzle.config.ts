import { defineConfig } from 'drizzle-kit';

// Migrations are generated into ./drizzle, committed and applied forward-only at every central start.
export default defineConfig({
  dialect: 'postgresql',
  schema: './src/platform/db/schema.ts',
  out: './drizzle',
});
