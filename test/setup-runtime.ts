import { DefaultLogger, Runtime } from '@temporalio/worker';

// Worker state chatter drowns test output; keep the SDK's warnings and errors.
try {
  Runtime.install({ logger: new DefaultLogger('WARN') });
} catch {
  // already installed in this process by an earlier test file
}
