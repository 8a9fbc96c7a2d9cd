import { OPTIONAL_COMMAND_TYPES, type CommandVersions, type RawCommand } from '@outpost/shared';

/**
 * What of a page of a store's commands may go down one connection: the commands up to (not including) the first
 * one the agent cannot apply (a type or schema version it did not name in hello). The stream is ordered and the
 * agent acks one applied seq, so nothing after a held command may pass it: the store's stream waits there, on
 * that device only, until the device is upgraded (its next hello names the version) — it is never sent to be
 * quarantined and lost at the store. The exception: a type the agent does not know at all that is optional
 * (OPTIONAL_COMMAND_TYPES) goes down anyway; the agent sets it aside and moves on.
 */
export function deliverable(commands: readonly RawCommand[], known: Readonly<CommandVersions>): { send: RawCommand[]; held: RawCommand | null } {
  const i = commands.findIndex((c) => {
    const versions = known[c.type];
    if (!versions) return !OPTIONAL_COMMAND_TYPES.has(c.type);
    return !versions.includes(c.schemaVersion);
  });
  if (i < 0) return { send: [...commands], held: null };
  return { send: commands.slice(0, i), held: commands[i]! };
}
