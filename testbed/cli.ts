/**
 * cli.ts (`npm run testbed`) starts a local test bed and keeps it up until Ctrl-C
 * (SIGINT) or SIGTERM, then stops every process and removes its temp dir. With
 * BINDY_TESTBED_NODE=1 it runs the real node too (kubelet, containerd, scheduler, kube-proxy).
 *
 *   npm run testbed
 *   export KUBECONFIG=/…/.testbed/run-<pid>/admin.kubeconfig   # printed by the command
 *   kubectl get ns
 */
import { startSession } from './session.js';

async function main(): Promise<void> {
  const log = (line: string): void => void process.stderr.write(`${line}\n`);
  const started = Date.now();
  const session = await startSession({ log });
  const { state } = session;
  console.log(`Test bed ready in ${Date.now() - started} ms: ${state.server}`);
  console.log(`  admin kubeconfig:       ${state.kubeconfigs.admin}`);
  console.log(`  bindy kubeconfig:       ${state.kubeconfigs.bindy}`);
  console.log(`  bindy-agent kubeconfig: ${state.kubeconfigs['bindy-agent']}`);
  console.log(`  state file:             ${session.stateFile}`);
  console.log(`  logs:                   ${state.stateDir}/logs/`);
  if (state.kubectl) console.log(`  kubectl (v1.34):        ${state.kubectl}`);
  if (state.node) console.log(`  node:                   ${state.node.name} (${state.node.internalIp}), image ${state.node.bindyImage}`);
  console.log('');
  console.log(`export KUBECONFIG=${state.kubeconfigs.admin}`);
  console.log('');
  console.log('Press Ctrl-C to stop.');
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    log(`testbed: ${signal}, stopping`);
    session.stop().then(
      () => process.exit(0),
      (err: Error) => {
        log(`testbed: stop failed: ${err.message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGHUP', () => stop('SIGHUP'));
}

main().catch((err: Error) => {
  console.error(err.message);
  process.exit(1);
});
