import { readFileSync } from 'node:fs';

/** The central package version, sent in hello and shown in the OpenAPI document. */
export const CENTRAL_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;
