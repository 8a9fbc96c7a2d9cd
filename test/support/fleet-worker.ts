/**
 * One process of the simulated fleet (test/support/fleet.ts starts several): runs a share of the agents and
 * reports what they see to the parent over the IPC channel, batched so thousands of agents do not mean
 * thousands of messages.
 */
import { SimAgent, type FleetMember, type SimObserver } from './fleet-agent.js';
import type { FromWorker, ToWorker } from './fleet.js';

const agents: SimAgent[] = [];
let out: Extract<FromWorker, { type: 'report' }> = empty();
let trickle: NodeJS.Timeout | null = null;

function empty(): Extract<FromWorker, { type: 'report' }> {
  return { type: 'report', ready: [], refused: [], busy: 0, helloTimeouts: 0, acked: [], commands: [] };
}

const obs: SimObserver = {
  ready: (storeId) => out.ready.push(storeId),
  refused: (storeId, code) => out.refused.push([storeId, code]),
  busy: () => out.busy++,
  helloTimeout: () => out.helloTimeouts++,
  saleAcked: (storeId, seq, ms) => out.acked.push([storeId, seq, ms]),
  command: (storeId, seq, at) => out.commands.push([storeId, seq, at]),
};

function send(msg: FromWorker): void {
  process.send?.(msg);
}

const flush = setInterval(() => {
  const r = out;
  if (r.ready.length + r.refused.length + r.busy + r.helloTimeouts + r.acked.length + r.commands.length === 0) return;
  out = empty();
  send(r);
}, 100);

process.on('message', (raw: unknown) => {
  const msg = raw as ToWorker;
  switch (msg.type) {
    case 'start': {
      for (const m of msg.members as FleetMember[]) {
        const a = new SimAgent(msg.centralUrl, m, obs, msg.reconnect);
        agents.push(a);
        a.start();
      }
      break;
    }
    case 'sale':
      for (const a of agents) a.sale();
      break;
    case 'trickle': {
      if (trickle) clearInterval(trickle);
      trickle = null;
      if (msg.everyMs === null) break;
      // Every agent once per `everyMs`, each in its own slot of 50 ms, so the fleet's sales spread over the period.
      const slots = Math.max(1, Math.round(msg.everyMs / 50));
      let tick = 0;
      trickle = setInterval(() => {
        tick = (tick + 1) % slots;
        agents.forEach((a, i) => {
          if (i % slots === tick) a.sale();
        });
      }, msg.everyMs / slots);
      break;
    }
    case 'status':
      send({ type: 'status', online: agents.filter((a) => a.online).length, pendingUp: agents.reduce((n, a) => n + a.pendingUp, 0), rssMiB: process.memoryUsage().rss / 1048576 });
      break;
    case 'close':
      if (trickle) clearInterval(trickle);
      clearInterval(flush);
      for (const a of agents) a.close();
      process.exit(0);
  }
});
send({ type: 'up' });
