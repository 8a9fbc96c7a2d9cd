// What commands/ offers the rest of central: other capabilities import from this file only (lint enforces it).
export { type CommandPusher, createCommandPusher } from './command-pusher.js';
export { appendCommandToEveryStore } from './command-broadcast.js';
export { appendCommand, CommandNotices, pendingCommands, pendingCommandsOfMany, withCommands } from './command-stream.js';
export { itemRoutes } from './items-routes.js';
