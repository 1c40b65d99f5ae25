// Starts the api and the worker side by side on the defaults, forwarding SIGINT/SIGTERM to both.
// If either exits on its own, the other is stopped too and the exit code is passed on.
import { spawn } from 'node:child_process';

const processes = ['apps/api/dist/main.js', 'apps/worker/dist/main.js'].map((script) =>
  spawn(process.execPath, [script], { stdio: 'inherit', env: process.env }),
);

let exitCode = 0;
let isStopping = false;
const stopAll = (signal) => {
  isStopping = true;
  for (const child of processes) if (child.exitCode === null) child.kill(signal);
};
for (const child of processes) {
  child.on('exit', (code, signal) => {
    if (!isStopping) {
      exitCode = code ?? 1;
      process.stderr.write(`${child.spawnargs[1]} exited (${signal ?? code}); stopping the rest\n`);
      stopAll('SIGTERM');
    }
    if (processes.every((p) => p.exitCode !== null || p.signalCode !== null)) process.exit(exitCode);
  });
}
process.on('SIGINT', () => stopAll('SIGINT'));
process.on('SIGTERM', () => stopAll('SIGTERM'));
