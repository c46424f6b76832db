/**
 * A rehearsal of the whole system for a browser: the real API, worker and PostgreSQL of `startSimulationSystem`
 * on Temporal's time-skipping test server, the API with the development auth of `npm start` (so the console's
 * development sign-in works), the built console with `/api` proxied, and a control only rehearsals have:
 *
 *   GET  /rehearsal/clock                      -> { "now": "<ISO instant>" }   the simulated now
 *   POST /rehearsal/clock {"to": "<instant>"}  -> { "now": ... }               moves the clock to that instant
 *   POST /rehearsal/clock {"by": "P14DT1H"}    -> { "now": ... }               moves it by an ISO 8601 duration
 *
 * A move goes on past every mentee timer due within a minute of where it lands (simulator/timers.ts: the next
 * message must not race a timer), so `now` may be a little later than asked. Everything else on the rehearsal's
 * origin is the console (and `/api/*` the API), so a browser and a test talk to one address.
 *
 *   npx tsx scripts/rehearsal.ts [--port 4390] [--api-port N]
 *
 * POSTGRES_SERVER_URL (postgres://user:pw@host:port): a fresh database in that server instead of an embedded one.
 * Ctrl-C (SIGINT) or SIGTERM stops everything.
 */
import { type ServerType, serve } from '@hono/node-server';
import { Hono } from 'hono';
import { proxy } from 'hono/proxy';
import { DEVELOPMENT_JWT_SECRET, loadConfig } from '../config/index.js';
import { menteeWorkflowId } from '../domain/ids.js';
import { SIM_AUTH, type SimulationSystem, startSimulationSystem } from '../simulator/system.js';
import { skipPastTimersDueSoon, timersDueAt } from '../simulator/timers.js';
import { ensureConsole, serveConsole } from './console.js';
import { findFreePort } from './temporal-binaries.js';

const HOST = '127.0.0.1';
const log = (line: string) => process.stderr.write(`${line}\n`);

function option(name: string): number | undefined {
  const index = process.argv.indexOf(`--${name}`);
  const inline = process.argv.find((a) => a.startsWith(`--${name}=`))?.split('=')[1];
  const value = inline ?? (index >= 0 ? process.argv[index + 1] : undefined);
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535)
    throw new Error(`--${name}: not a port: ${value}`);
  return port;
}

/** An ISO 8601 duration of days, hours, minutes and seconds (P14D, PT36H, P1DT2H30M) in ms. */
export function durationMs(text: string): number {
  const m =
    /^P(?:(\d+(?:\.\d+)?)W)?(?:(\d+(?:\.\d+)?)D)?(?:T(?:(\d+(?:\.\d+)?)H)?(?:(\d+(?:\.\d+)?)M)?(?:(\d+(?:\.\d+)?)S)?)?$/.exec(
      text,
    );
  if (!m || text === 'P' || text.endsWith('T')) throw new Error(`not an ISO 8601 duration: ${text}`);
  const [, w, d, h, min, s] = m.map((x) => Number(x ?? 0));
  return ((((w! * 7 + d!) * 24 + h!) * 60 + min!) * 60 + s!) * 1000;
}

/** The guarded skip of test/support/clock.ts on the system's own SimulatedClock (the API's `now`). */
function clockControl(system: SimulationSystem) {
  const workflowIds = async () =>
    (await system.sql<{ id: string }[]>`SELECT id FROM applications`).map(({ id }) => menteeWorkflowId(id));
  let moving: Promise<unknown> = Promise.resolve();
  const skipTo = async (at: number) => {
    await system.clock.skipTo(at);
    await skipPastTimersDueSoon(
      () => system.clock.now,
      (next) => system.clock.skipTo(next),
      async () => timersDueAt(system.env.client, await workflowIds()),
    );
    return system.clock.now;
  };
  /** One move at a time, in the order asked. */
  const serially = <T>(work: () => Promise<T>): Promise<T> => {
    const next = moving.then(work, work);
    moving = next.catch(() => {});
    return next;
  };
  return {
    now: () => serially(() => system.clock.sync()),
    skipTo: (at: number) => serially(() => skipTo(at)),
    skipBy: (ms: number) => serially(async () => skipTo((await system.clock.sync()) + ms)),
  };
}

function listen(fetch: Parameters<typeof serve>[0]['fetch'], port: number): Promise<ServerType> {
  return new Promise((resolve, reject) => {
    const server = serve({ fetch, hostname: HOST, port }, () => resolve(server));
    server.once('error', reject);
  });
}

const close = (server: ServerType) => new Promise<void>((resolve) => server.close(() => resolve()));

async function main() {
  const config = loadConfig();
  // the dev sign-in needs the API to check tokens as `npm start` does on its defaults
  if (
    SIM_AUTH.secret !== DEVELOPMENT_JWT_SECRET ||
    SIM_AUTH.issuer !== config.AUTH_ISSUER ||
    SIM_AUTH.audience !== config.AUTH_AUDIENCE
  ) {
    throw new Error(
      'The simulation API does not use the development auth of npm start (AUTH_ISSUER/AUDIENCE?)',
    );
  }
  const port = option('port') ?? 0;
  const apiPort = option('api-port') ?? (await findFreePort(HOST));
  const started = performance.now();
  const dist = ensureConsole(log);
  log('starting the rehearsal: PostgreSQL, the time-skipping Temporal server, the worker...');
  const stops: (() => Promise<unknown>)[] = [];
  const stopAll = async () => {
    for (const stop of stops) await stop().catch((error: unknown) => log(`while stopping: ${String(error)}`));
  };
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log(`${signal}: stopping the rehearsal...`);
    void stopAll().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  const system = await startSimulationSystem({
    ...(process.env.POSTGRES_SERVER_URL ? { postgresServerUrl: process.env.POSTGRES_SERVER_URL } : {}),
    log,
  });
  stops.push(() => system.stop());
  if (stopping) return stopAll();
  try {
    const worker = system.worker;
    const working = worker.run();
    stops.unshift(async () => {
      if (worker.getState() === 'RUNNING') worker.shutdown();
      await working;
    });
    working.catch((error: unknown) => log(`the worker stopped: ${String(error)}`));

    const api = await listen(system.app.fetch, apiPort);
    stops.unshift(() => close(api));
    const apiUrl = `http://${HOST}:${(api.address() as { port: number }).port}`;
    const web = await serveConsole({ dist, host: HOST, port: 0, apiUrl });
    stops.unshift(() => web.stop());

    const clock = clockControl(system);
    const answer = (now: number) => ({ now: new Date(now).toISOString() });
    const control = new Hono();
    control.get('/rehearsal/clock', async (c) => c.json(answer(await clock.now())));
    control.post('/rehearsal/clock', async (c) => {
      const body = (await c.req.json().catch(() => null)) as { to?: unknown; by?: unknown } | null;
      try {
        if (typeof body?.to === 'string' && !Number.isNaN(Date.parse(body.to))) {
          return c.json(answer(await clock.skipTo(Date.parse(body.to))));
        }
        if (typeof body?.by === 'string') return c.json(answer(await clock.skipBy(durationMs(body.by))));
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('not an ISO')) {
          return c.json({ error: error.message }, 422);
        }
        throw error;
      }
      return c.json(
        { error: 'send {"to": "<ISO instant>"} or {"by": "<ISO 8601 duration, e.g. P14D>"}' },
        422,
      );
    });
    control.get('/rehearsal', (c) => c.json({ api: apiUrl, console: web.url }));
    // everything else is the console (its /api/* the API) on this one origin
    control.all('*', (c) => {
      const url = new URL(c.req.url);
      return proxy(`${web.url}${url.pathname}${url.search}`, { raw: c.req.raw });
    });
    const front = await listen(control.fetch, port);
    stops.unshift(() => close(front));
    const url = `http://${HOST}:${(front.address() as { port: number }).port}`;
    log(
      [
        `rehearsal ready in ${((performance.now() - started) / 1000).toFixed(1)} s, the clock at ${new Date(system.clock.now).toISOString()}`,
        `  console:  ${url}  (sign in at ${url}/sign-in)`,
        `  API:      ${apiUrl}  (also ${url}/api)`,
        `  clock:    ${url}/rehearsal/clock  (POST {"to": "<ISO instant>"} or {"by": "P14D"})`,
        `  database: ${system.databaseUrl}`,
      ].join('\n'),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }
}

main().catch((error: unknown) => {
  log(error instanceof Error ? (error.stack ?? error.message) : String(error));
  process.exit(1);
});
