import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { errorBody } from '@outpost/shared';
import { agentJsonPath, settingsFromEnv, type Env } from './config.js';
import { createAgent, type Agent, type CreateAgentOptions } from './engine.js';
import { buildHttpBase, isLoopbackHost } from './http-api.js';
import { jsonLogger, type Logger } from './log.js';
import { enrolDevice } from './service-enrol.js';
import { EnrolmentError, registerUiRoutes, type DeviceInfo, type UiRoutesOptions } from './ui-routes.js';

export interface AgentServiceOptions {
  dataDir: string;
  /** Listen address (default OUTPOST_AGENT_HOST or 127.0.0.1). */
  host?: string;
  /** Port (default OUTPOST_AGENT_PORT or 8090; 0 picks a free one, kept across the switch to the engine). */
  port?: number;
  env?: Env;
  log?: Logger;
  /** Passed on to createAgent (tests inject a clock or settings). */
  agentOptions?: Pick<CreateAgentOptions, 'now' | 'connect' | 'settings' | 'agentVersion'>;
}

export interface AgentService {
  /** Where the associate UI and the local API answer; the same before and after enrolment. */
  readonly url: string;
  /** True once this data folder holds an enrolment (from the start, or after the enrolment screen). */
  enrolled(): boolean;
  /** The running engine, or null while waiting for enrolment (or when it failed to start: see lastError). */
  agent(): Agent | null;
  /** Why the engine is not running after an enrolment, or null. */
  lastError(): string | null;
  /** Called after every change of enrolled(), agent() or lastError(); returns the unsubscribe function. */
  onChange(listener: () => void): () => void;
  stop(): Promise<void>;
}

/**
 * The agent as a service: what `outpost-agent start` and the Electron shell run. On an enrolled data folder it is
 * createAgent + start. On a fresh one it serves the associate UI's enrolment screen and a local
 * POST /api/v1/enroll; once central accepts the code it starts the full engine on the same address, in the same
 * process, without a restart.
 *
 * Why close and re-listen rather than one server that delegates: the engine builds and owns its HTTP server
 * (routes for capture, picks and whatever comes next live in http-api.ts), and tests and tools use createAgent
 * directly. Re-listening keeps one way of wiring the engine. The gap is one loopback close/listen (the port is
 * ours: the set-up server is closed first, after its last answer went out), and the page polls through it.
 */
export async function runAgentService(opts: AgentServiceOptions): Promise<AgentService> {
  const env = opts.env ?? process.env;
  const log = opts.log ?? jsonLogger();
  const settings = settingsFromEnv(env);
  const host = opts.host ?? settings.host;
  const listeners = new Set<() => void>();
  let agent: Agent | null = null;
  let setup: FastifyInstance | null = null;
  let enrolled = existsSync(agentJsonPath(opts.dataDir));
  let lastError: string | null = null;
  let stopped = false;
  let switching: Promise<void> = Promise.resolve();

  const notify = () => {
    for (const l of listeners) {
      try {
        l();
      } catch (e) {
        log.error('agent service listener failed', { error: String(e) });
      }
    }
  };
  const startEngine = async (port: number): Promise<string> => {
    const a = createAgent({ ...opts.agentOptions, dataDir: opts.dataDir, host, port, env, log });
    try {
      const { url } = await a.start();
      agent = a;
      return url ?? '';
    } catch (e) {
      await a.stop();
      throw e;
    }
  };

  if (enrolled) {
    const url = await startEngine(opts.port ?? settings.port);
    return handle(url);
  }

  // Set-up mode: the same security rules as the engine's API (buildHttpBase), only the UI and enrolment routes.
  const loopbackOnly = isLoopbackHost(host);
  if (!loopbackOnly && !settings.apiKey) {
    throw new Error(`listening on ${host} (beyond loopback) needs OUTPOST_AGENT_API_KEY: the local API would be open to the network`);
  }
  let enrolling = false;
  const ui: UiRoutesOptions = {
    device: null,
    enroll: async (req): Promise<DeviceInfo> => {
      if (enrolling) throw new EnrolmentError(409, 'enrolment_in_progress', 'an enrolment is already under way on this agent: wait for it to finish');
      enrolling = true;
      try {
        const e = await enrolDevice({ dataDir: opts.dataDir, central: req.central, code: req.code, deviceName: req.deviceName, currency: req.currency });
        const device: DeviceInfo = { storeId: e.storeId, deviceId: e.deviceId, deviceName: e.deviceName, currency: e.currency, centralUrl: e.centralUrl };
        // From now on this server answers as enrolled (409 to a second enrolment) until the engine takes over.
        ui.device = device;
        ui.enroll = null;
        enrolled = true;
        log.info('agent enrolled from the associate UI', { storeId: e.storeId, deviceId: e.deviceId });
        // After this answer has been sent: switching closes this server.
        setImmediate(() => {
          switching = switchToEngine();
        });
        notify();
        return device;
      } finally {
        enrolling = false;
      }
    },
  };
  const server = buildHttpBase({ loopbackOnly, apiKey: settings.apiKey, log });
  registerUiRoutes(server, ui);
  server.all('/api/v1/*', (_req, reply) =>
    reply
      .status(503)
      .send(
        lastError
          ? errorBody('agent_failed', `this agent is enrolled but could not start: ${lastError}. Restart it; if that fails, call support`)
          : ui.device
            ? errorBody('starting', 'this agent is enrolled and starting: try again in a moment')
            : errorBody('not_enrolled', 'this agent is not enrolled yet: enrol it on the screen at / (or with outpost-agent enroll)'),
      ),
  );
  setup = server;
  await server.listen({ host, port: opts.port ?? settings.port });
  const addr = server.server.address();
  const port = typeof addr === 'object' && addr ? addr.port : (opts.port ?? settings.port);
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  log.info('agent waiting for enrolment', { url });

  async function switchToEngine(): Promise<void> {
    if (stopped || !setup) return;
    const s = setup;
    await s.close();
    if (stopped) return;
    try {
      await startEngine(port);
      setup = null;
    } catch (e) {
      // The port may have been taken in the gap, or the data folder is unusable: say so on the same address.
      lastError = (e as Error).message;
      log.error('agent could not start after enrolment', { error: lastError });
      const again = buildHttpBase({ loopbackOnly, apiKey: settings.apiKey, log });
      registerUiRoutes(again, ui);
      again.all('/api/v1/*', (_req, reply) => reply.status(503).send(errorBody('agent_failed', `this agent is enrolled but could not start: ${lastError}. Restart it`)));
      setup = again;
      await again.listen({ host, port }).catch((err: unknown) => log.error('cannot serve the failure page either', { error: String(err) }));
    }
    notify();
  }

  return handle(url);

  function handle(url: string): AgentService {
    return {
      url,
      enrolled: () => enrolled,
      agent: () => agent,
      lastError: () => lastError,
      onChange(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
      async stop() {
        if (stopped) return;
        stopped = true;
        await switching;
        if (setup) await setup.close();
        if (agent) await agent.stop();
        listeners.clear();
      },
    };
  }
}
