import { Runtime } from '@temporalio/worker';
import { quietSdkLogger } from './support/quiet-logger.js';

// Worker state chatter drowns test output: keep the SDK's warnings and errors, the Rust core's forwarded to
// the same logger (instead of its own console output), less the known lines that are not ours to fix.
try {
  Runtime.install({
    logger: quietSdkLogger(),
    telemetryOptions: { logging: { filter: { core: 'WARN', other: 'ERROR' }, forward: {} } },
  });
} catch {
  // already installed in this process by an earlier test file
}
