import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';
import { type Config, ENV_VARIABLES, loadConfig, unsafeAuthReason } from '../config/index.js';
import { CUSTOM_SEARCH_ATTRIBUTES } from '../domain/search-attributes.js';

/*
 * Static checks of docker-compose.yml and the Dockerfile (no Docker needed), plus a run of the
 * temporal-setup script against a stand-in `temporal` CLI.
 */

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const COMPOSE_TEXT = readFileSync(path.join(ROOT, 'docker-compose.yml'), 'utf8');
const DOCKERFILE_TEXT = readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8');

// ---------------------------------------------------------------------------------------------
// Compose file model

const StringList = z.union([z.string(), z.array(z.union([z.string(), z.number()]).transform(String))]);
const EnvValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);
const Service = z.looseObject({
  image: z.string().optional(),
  build: z
    .union([z.string(), z.looseObject({ context: z.string().optional(), dockerfile: z.string().optional() })])
    .optional(),
  command: StringList.optional(),
  entrypoint: StringList.optional(),
  environment: z.union([z.record(z.string(), EnvValue), z.array(z.string())]).optional(),
  depends_on: z
    .union([z.array(z.string()), z.record(z.string(), z.looseObject({ condition: z.string().optional() }))])
    .optional(),
  healthcheck: z.looseObject({ test: StringList.optional(), disable: z.boolean().optional() }).optional(),
  ports: z
    .array(
      z.union([
        z.string(),
        z.number(),
        z.looseObject({
          target: z.union([z.number(), z.string()]),
          published: z.union([z.number(), z.string()]),
        }),
      ]),
    )
    .optional(),
  volumes: z
    .array(z.union([z.string(), z.looseObject({ source: z.string().optional(), target: z.string() })]))
    .optional(),
  restart: z.string().optional(),
});
type Service = z.infer<typeof Service>;
const ComposeFile = z.looseObject({
  services: z.record(z.string(), Service),
  volumes: z.record(z.string(), z.unknown()).optional(),
});

/** What a user must set on the host (README): the API refuses the development secret on 0.0.0.0. */
const HOST_ENV: Record<string, string> = {
  AUTH_JWT_SECRET: 'a-host-secret-of-at-least-32-characters!',
  PAYLOAD_KEYS: JSON.stringify({ current: 'k1', keys: { k1: Buffer.alloc(32, 7).toString('base64') } }),
};

/**
 * Compose's variable substitution, with every variable but those in `host` taken as unset: `$$` -> `$`,
 * `${X:-d}` / `${X-d}` -> d (or the host's value), `${X:+a}` -> ''. What compose would warn about or reject
 * (a variable without a default, `${X:?}` when X is unset, a lone `$`) is substituted as compose would and
 * reported in `problems`.
 */
function interpolate(value: string, where: string, problems: string[], host = HOST_ENV): string {
  return value.replace(/\$(?:(\$)|\{([^}]*)\}|([A-Za-z_][A-Za-z0-9_]*)|)/g, (match, dollar, braced, bare) => {
    if (dollar) return '$';
    if (typeof bare === 'string') {
      problems.push(`${where}: ${match} has no default (write \${${bare}:-...}, or $$ for a literal $)`);
      return '';
    }
    if (typeof braced !== 'string') {
      problems.push(`${where}: a lone "$" (compose rejects it; write "$$")`);
      return '$';
    }
    const parts = /^([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+?])([\s\S]*))?$/.exec(braced);
    const [, name, operator, operand = ''] = parts ?? [];
    if (name && host[name] !== undefined && operator !== ':+' && operator !== '+') return host[name];
    if (operator === ':-' || operator === '-') return operand;
    if (operator === ':+' || operator === '+') return '';
    if (!parts) problems.push(`${where}: invalid substitution ${match}`);
    else if (operator) problems.push(`${where}: ${name} is required (${match})`);
    else problems.push(`${where}: ${match} has no default (write \${${name}:-...})`);
    return '';
  });
}

/** Interpolates every string value (not keys), as compose does. */
function interpolateAll(value: unknown, where: string, problems: string[], host = HOST_ENV): unknown {
  if (typeof value === 'string') return interpolate(value, where, problems, host);
  if (Array.isArray(value))
    return value.map((item, i) => interpolateAll(item, `${where}[${i}]`, problems, host));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [
        key,
        interpolateAll(item, where ? `${where}.${key}` : key, problems, host),
      ]),
    );
  }
  return value;
}

// Compose honours YAML merge keys (`<<: *anchor`).
const RAW = parse(COMPOSE_TEXT, { merge: true }) as unknown;
const substitutionProblems: string[] = [];
const compose = ComposeFile.parse(interpolateAll(RAW, '', substitutionProblems));
const rawCompose = ComposeFile.parse(RAW);

function service(name: string): Service {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

/** The environment a container gets; a key without a value (pass-through from the host) is an error here. */
function environmentOf(svc: Service, name: string): Record<string, string> {
  const env = svc.environment ?? {};
  const entries: [string, string | null][] = Array.isArray(env)
    ? env.map((line) => {
        const eq = line.indexOf('=');
        return eq === -1 ? [line, null] : [line.slice(0, eq), line.slice(eq + 1)];
      })
    : Object.entries(env).map(([key, value]) => [key, value === null ? null : String(value)]);
  const passThrough = entries.filter(([, value]) => value === null).map(([key]) => key);
  if (passThrough.length > 0)
    throw new Error(`${name}: environment without a value: ${passThrough.join(', ')}`);
  return Object.fromEntries(entries) as Record<string, string>;
}

function words(list: string | string[] | undefined): string[] {
  if (list === undefined) return [];
  return typeof list === 'string' ? list.split(/\s+/).filter(Boolean) : list;
}

function dependsOn(svc: Service): Record<string, string> {
  const deps = svc.depends_on ?? {};
  if (Array.isArray(deps)) return Object.fromEntries(deps.map((dep) => [dep, 'service_started']));
  return Object.fromEntries(
    Object.entries(deps).map(([dep, spec]) => [dep, spec.condition ?? 'service_started']),
  );
}

/** `[ip:]published:target[/proto]` or the long syntax, as `published->target`. */
function publishedPorts(svc: Service): string[] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return `${port.published}->${port.target}`;
    const parts = String(port)
      .replace(/\/\w+$/, '')
      .split(':');
    const target = parts.at(-1);
    const published = parts.at(-2);
    return published === undefined ? `(random)->${target}` : `${published}->${target}`;
  });
}

function healthcheckText(svc: Service): string {
  if (!svc.healthcheck || svc.healthcheck.disable) return '';
  return words(svc.healthcheck.test).join(' ');
}

const APP_SERVICES = ['worker', 'api'] as const;
const appEnv = Object.fromEntries(
  APP_SERVICES.map((name) => [name, environmentOf(service(name), name)]),
) as Record<(typeof APP_SERVICES)[number], Record<string, string>>;
const appConfig = (name: (typeof APP_SERVICES)[number]): Config => loadConfig(appEnv[name]);

// ---------------------------------------------------------------------------------------------

describe('docker-compose.yml', () => {
  it('parses: every variable substitution has a default and every literal $ is escaped as $$', () => {
    expect(substitutionProblems).toEqual([]);
  });

  it('defines the whole stack', () => {
    expect(Object.keys(compose.services)).toEqual(
      expect.arrayContaining(['postgres', 'temporal', 'temporal-setup', 'temporal-ui', 'worker', 'api']),
    );
  });

  it('pins every image to an explicit tag', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      if (svc.image === undefined) continue;
      expect(svc.image, name).toMatch(/^[^:]+:(?!latest$)[\w][\w.-]*$/);
    }
    expect(service('postgres').image).toBe('postgres:16');
    expect(service('temporal').image).toMatch(/^temporalio\/auto-setup:/);
    expect(service('temporal-setup').image).toMatch(/^temporalio\/admin-tools:/);
    expect(service('temporal-ui').image).toMatch(/^temporalio\/ui:/);
  });

  describe.each(APP_SERVICES)('%s environment', (name) => {
    it('uses only variable names config/index.ts reads', () => {
      const unknown = Object.keys(appEnv[name]).filter((key) => !(ENV_VARIABLES as string[]).includes(key));
      expect(unknown).toEqual([]);
    });

    it('sets the variables the containers need', () => {
      const required = [
        'DATABASE_URL',
        'TEMPORAL_ADDRESS',
        'TEMPORAL_NAMESPACE',
        'TEMPORAL_TASK_QUEUE',
        'RESEND_API_KEY',
        'EMAIL_FROM',
        'LOG_LEVEL',
        ...(name === 'api' ? ['API_HOST', 'API_PORT'] : []),
      ];
      expect(Object.keys(appEnv[name])).toEqual(expect.arrayContaining(required));
    });

    it('is accepted by loadConfig()', () => {
      const config = appConfig(name);
      // Without these the app would start an embedded PostgreSQL / Temporal dev server inside the container.
      expect(config.DATABASE_URL).toBeDefined();
      expect(config.TEMPORAL_ADDRESS).toBeDefined();
    });

    it('leaves RESEND_API_KEY optional, taken from the host', () => {
      const raw = rawCompose.services[name]?.environment;
      // biome-ignore lint/suspicious/noTemplateCurlyInString: compose's substitution syntax, not a JS template
      expect(raw && !Array.isArray(raw) ? raw.RESEND_API_KEY : undefined).toBe('${RESEND_API_KEY:-}');
      expect(appConfig(name).RESEND_API_KEY).toBeUndefined();
    });

    it("points DATABASE_URL at the app's own database on the postgres service", () => {
      const url = new URL(appConfig(name).DATABASE_URL!);
      const postgres = environmentOf(service('postgres'), 'postgres');
      const temporal = environmentOf(service('temporal'), 'temporal');
      expect(url.protocol).toMatch(/^postgres(ql)?:$/);
      expect(url.hostname).toBe('postgres');
      expect(url.port || '5432').toBe('5432');
      expect(decodeURIComponent(url.username)).toBe(postgres.POSTGRES_USER ?? 'postgres');
      expect(decodeURIComponent(url.password)).toBe(postgres.POSTGRES_PASSWORD);
      const database = decodeURIComponent(url.pathname.slice(1));
      expect(database).toBe(postgres.POSTGRES_DB);
      expect([
        temporal.DBNAME ?? 'temporal',
        temporal.VISIBILITY_DBNAME ?? 'temporal_visibility',
      ]).not.toContain(database);
    });

    it('points TEMPORAL_ADDRESS at the temporal service and uses the namespace it creates', () => {
      const config = appConfig(name);
      expect(config.TEMPORAL_ADDRESS).toBe('temporal:7233');
      const temporal = environmentOf(service('temporal'), 'temporal');
      expect(config.TEMPORAL_NAMESPACE).toBe(temporal.DEFAULT_NAMESPACE ?? 'default');
    });
  });

  it('gives the worker and the API the same database, Temporal server, namespace and task queue', () => {
    const [worker, api] = [appConfig('worker'), appConfig('api')];
    for (const key of [
      'DATABASE_URL',
      'TEMPORAL_ADDRESS',
      'TEMPORAL_NAMESPACE',
      'TEMPORAL_TASK_QUEUE',
    ] as const) {
      expect(worker[key], key).toBe(api[key]);
    }
  });

  it('makes the API listen on all interfaces inside its container', () => {
    expect(appConfig('api').API_HOST).toBe('0.0.0.0');
  });

  it('requires AUTH_JWT_SECRET and PAYLOAD_KEYS from the host, with a message naming each', () => {
    const unset: string[] = [];
    interpolateAll(RAW, '', unset, {});
    expect(unset.map((problem) => problem.split(':')[0]).sort()).toEqual([
      'services.api.environment.AUTH_JWT_SECRET',
      'services.api.environment.PAYLOAD_KEYS',
      'services.worker.environment.PAYLOAD_KEYS',
      'x-app-environment.PAYLOAD_KEYS',
    ]);
    const secret = unset.find((problem) => problem.includes('AUTH_JWT_SECRET'))!;
    expect(secret).toMatch(/^services\.api\.environment\.AUTH_JWT_SECRET: AUTH_JWT_SECRET is required/);
    expect(secret).toContain('set AUTH_JWT_SECRET');
    expect(secret).toContain('AUTH_JWKS_URL');
    expect(unset.find((problem) => problem.startsWith('services.api.environment.PAYLOAD_KEYS'))).toContain(
      'set PAYLOAD_KEYS',
    );
    // with it set, the API's configuration is one unsafeAuthReason() accepts on 0.0.0.0
    expect(unsafeAuthReason(appConfig('api'))).toBeUndefined();
    expect(appConfig('api').AUTH_JWT_SECRET).toBe(HOST_ENV.AUTH_JWT_SECRET);
  });

  it('publishes the API on 3000 and the Temporal UI on 8233', () => {
    expect(publishedPorts(service('api'))).toContain(`3000->${appConfig('api').API_PORT}`);
    expect(publishedPorts(service('temporal-ui'))).toContain('8233->8080');
  });

  it('has healthchecks on postgres, temporal and the API', () => {
    expect(healthcheckText(service('postgres'))).toMatch(/\bpg_isready\b/);
    expect(healthcheckText(service('temporal'))).toMatch(/\btemporal operator\b|\btctl\b/);
    const { API_PORT } = appConfig('api');
    expect(healthcheckText(service('api'))).toMatch(
      new RegExp(`fetch\\('http://(127\\.0\\.0\\.1|localhost):${API_PORT}/healthz'\\)`),
    );
    // Slim images have no curl/wget.
    expect(healthcheckText(service('api'))).not.toMatch(/\b(curl|wget)\b/);
  });

  it('keeps PostgreSQL data in a named volume', () => {
    const mount = (service('postgres').volumes ?? [])
      .map((v) => (typeof v === 'string' ? v : `${v.source}:${v.target}`))
      .find((v) => v.split(':')[1] === '/var/lib/postgresql/data');
    expect(mount).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(mount?.split(':')[0]);
  });

  it('persists Temporal to the same PostgreSQL', () => {
    const temporal = environmentOf(service('temporal'), 'temporal');
    const postgres = environmentOf(service('postgres'), 'postgres');
    expect(temporal.DB).toBe('postgres12');
    expect(temporal.POSTGRES_SEEDS).toBe('postgres');
    expect(temporal.DB_PORT).toBe('5432');
    expect(temporal.POSTGRES_USER).toBe(postgres.POSTGRES_USER ?? 'postgres');
    expect(temporal.POSTGRES_PWD).toBe(postgres.POSTGRES_PASSWORD);
  });

  it('orders startup with the right depends_on conditions', () => {
    const app = {
      postgres: 'service_healthy',
      temporal: 'service_healthy',
      'temporal-setup': 'service_completed_successfully',
    };
    expect(dependsOn(service('temporal'))).toEqual({ postgres: 'service_healthy' });
    expect(dependsOn(service('temporal-setup'))).toEqual({ temporal: 'service_healthy' });
    expect(dependsOn(service('temporal-ui'))).toEqual({ temporal: 'service_healthy' });
    expect(dependsOn(service('worker'))).toEqual(app);
    expect(dependsOn(service('api'))).toEqual(app);
  });

  it('only waits on health that exists and on one-shots that finish', () => {
    for (const [name, svc] of Object.entries(compose.services)) {
      for (const [dep, condition] of Object.entries(dependsOn(svc))) {
        const target = service(dep);
        if (condition === 'service_healthy')
          expect(healthcheckText(target), `${name} -> ${dep}`).not.toBe('');
        if (condition === 'service_completed_successfully') {
          expect(target.restart ?? 'no', `${name} -> ${dep}`).toBe('no');
        }
      }
    }
  });

  it('serves the console from the same image, passing /api to the API service', () => {
    const console = service('console');
    expect(console.command).toEqual(['node', 'dist/scripts/console.js', '--serve', 'web/dist']);
    const env = environmentOf(console, 'console');
    expect(env.CONSOLE_API_URL).toBe('http://api:3000');
    expect(env.CONSOLE_HOST).toBe('0.0.0.0');
    expect(dependsOn(console)).toEqual({ api: 'service_healthy' });
    // the image has the built console where the command looks for it
    expect(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')).toContain(
      'COPY --from=build /app/web/dist ./web/dist',
    );
  });

  it('builds the worker and the API from the repository Dockerfile', () => {
    for (const name of APP_SERVICES) {
      const build = service(name).build;
      const context = typeof build === 'string' ? build : build?.context;
      const dockerfile = typeof build === 'object' ? (build.dockerfile ?? 'Dockerfile') : 'Dockerfile';
      expect(context, name).toBeDefined();
      expect(path.resolve(ROOT, context ?? '', dockerfile)).toBe(path.join(ROOT, 'Dockerfile'));
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The temporal-setup script, run by /bin/sh against a stand-in for the `temporal` CLI.

const FAKE_TEMPORAL = `#!/bin/sh
# Stand-in for the temporal CLI: records each call; keeps search attributes as files in $STATE/sa.
#   FAIL_CREATE   create fails as if the server were unreachable
#   EXISTING_OK   create of an existing name with the same type succeeds (newer servers, SQL visibility)
#   RACE          the first list shows no custom attribute, as if another run registered them meanwhile
printf '%s\\n' "$*" >> "$STATE/calls"
arg() { flag=$1; shift; while [ $# -gt 0 ]; do [ "$1" = "$flag" ] && { printf '%s' "$2"; return; }; shift; done; }
case "$1 $2 $3" in
  "operator search-attribute create")
    if [ -n "\${FAIL_CREATE:-}" ]; then echo "Error: failed reaching server: connection refused" >&2; exit 1; fi
    name=$(arg --name "$@"); type=$(arg --type "$@")
    if [ -f "$STATE/sa/$name" ]; then
      [ -n "\${EXISTING_OK:-}" ] && [ "$(cat "$STATE/sa/$name")" = "$type" ] && exit 0
      echo "Error: unable to add search attributes: Search attribute $name already exists." >&2; exit 1
    fi
    printf '%s' "$type" > "$STATE/sa/$name"; echo "Search attributes have been added" ;;
  "operator search-attribute list")
    echo "          Name                 Type"
    echo "  WorkflowId                 Keyword"
    if [ -n "\${RACE:-}" ] && [ ! -f "$STATE/listed" ]; then : > "$STATE/listed"; exit 0; fi
    for f in "$STATE"/sa/*; do [ -f "$f" ] && printf '  %s  %s\\n' "\${f##*/}" "$(cat "$f")"; done
    exit 0 ;;
  *) exit 0 ;;
esac
`;

interface FakeServer {
  /** Names already registered, with their types. */
  seed?: Record<string, string>;
  failCreate?: boolean;
  existingOk?: boolean;
  race?: boolean;
}

const withShell = it.skipIf(!existsSync('/bin/sh'));

describe('temporal-setup', () => {
  const work = mkdtempSync(path.join(tmpdir(), 'temporal-setup-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const setup = service('temporal-setup');
  const setupEnv = environmentOf(setup, 'temporal-setup');
  // What the container executes: entrypoint + command, after compose's interpolation.
  const argv = [...words(setup.entrypoint), ...words(setup.command)];

  let servers = 0;
  /** A fake server; each call of the returned function is one run of the container against it. */
  function fakeServer(options: FakeServer = {}) {
    const state = path.join(work, `server-${servers++}`);
    const bin = path.join(state, 'bin');
    mkdirSync(path.join(state, 'sa'), { recursive: true });
    mkdirSync(bin);
    writeFileSync(path.join(bin, 'temporal'), FAKE_TEMPORAL, { mode: 0o755 });
    writeFileSync(path.join(bin, 'sleep'), '#!/bin/sh\necho "$*" >> "$STATE/sleeps"\n', { mode: 0o755 });
    for (const [name, type] of Object.entries(options.seed ?? {})) {
      writeFileSync(path.join(state, 'sa', name), type);
    }
    const read = (file: string) =>
      existsSync(path.join(state, file))
        ? readFileSync(path.join(state, file), 'utf8').split('\n').filter(Boolean)
        : [];
    return () => {
      for (const file of ['calls', 'sleeps']) rmSync(path.join(state, file), { force: true });
      const [command = '', ...args] = argv;
      const result = spawnSync(command, args, {
        encoding: 'utf8',
        env: {
          ...setupEnv,
          PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
          STATE: state,
          ...(options.failCreate ? { FAIL_CREATE: '1' } : {}),
          ...(options.existingOk ? { EXISTING_OK: '1' } : {}),
          ...(options.race ? { RACE: '1' } : {}),
        },
      });
      return {
        status: result.status,
        output: `${result.stdout}${result.stderr}`,
        created: created(read('calls')),
        sleeps: read('sleeps'),
      };
    };
  }

  /** The create calls, as name -> type; each must target the app's namespace. */
  function created(calls: string[]): Record<string, string> {
    const registered: Record<string, string> = {};
    for (const call of calls) {
      const match = /^operator search-attribute create --namespace (\S+) --name (\S+) --type (\S+)$/.exec(
        call,
      );
      if (match) {
        expect(match[1], call).toBe(appConfig('api').TEMPORAL_NAMESPACE);
        registered[match[2]!] = match[3]!;
      } else {
        expect(call, 'unexpected temporal command').not.toMatch(/\bcreate\b/);
      }
    }
    return registered;
  }

  it('overrides the admin-tools entrypoint (it is `sleep infinity`) with a shell', () => {
    expect(words(setup.entrypoint)[0]).toMatch(/^\/bin\/(ba)?sh$/);
    expect(setupEnv.TEMPORAL_ADDRESS).toBe(appConfig('api').TEMPORAL_ADDRESS);
    expect(setupEnv.TEMPORAL_NAMESPACE).toBe(appConfig('api').TEMPORAL_NAMESPACE);
  });

  withShell('registers exactly CUSTOM_SEARCH_ATTRIBUTES, with their types', () => {
    const run = fakeServer()();
    expect(run.status, run.output).toBe(0);
    expect(run.created).toEqual(CUSTOM_SEARCH_ATTRIBUTES);
    expect(run.sleeps, 'waits once for the namespace caches after registering').toHaveLength(1);
  });

  withShell.each([
    ['refuses', false],
    ['accepts', true],
  ])('is idempotent when the server %s a repeated create: no create, no wait', (_, existingOk) => {
    const run = fakeServer({ existingOk });
    expect(run().status).toBe(0);
    const second = run();
    expect(second.status, second.output).toBe(0);
    expect(second.created).toEqual({});
    expect(second.sleeps).toEqual([]);
  });

  withShell('tolerates "already exists" when another run registered the attribute meanwhile', () => {
    const run = fakeServer({ seed: CUSTOM_SEARCH_ATTRIBUTES, race: true })();
    expect(run.status, run.output).toBe(0);
  });

  withShell('fails when an attribute already exists with another type', () => {
    const [name = ''] = Object.keys(CUSTOM_SEARCH_ATTRIBUTES);
    const run = fakeServer({ seed: { [name]: 'Text' } })();
    expect(run.status, run.output).not.toBe(0);
    expect(run.output).toMatch(new RegExp(`${name} is not registered as`));
  });

  withShell('fails when the server rejects the registration', () => {
    const run = fakeServer({ failCreate: true })();
    expect(run.status, run.output).not.toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Dockerfile

interface Instruction {
  keyword: string;
  args: string;
}

/** Instructions with line continuations joined and comments dropped. */
function dockerInstructions(text: string): Instruction[] {
  const lines = text.split('\n').filter((line) => !/^\s*#/.test(line));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [keyword = '', ...rest] = line.split(/\s+/);
      return { keyword: keyword.toUpperCase(), args: rest.join(' ') };
    });
}

const instructions = dockerInstructions(DOCKERFILE_TEXT);
const copies = instructions
  .filter((i) => i.keyword === 'COPY' || i.keyword === 'ADD')
  .filter((i) => !/--from=/.test(i.args))
  .map((i) => {
    const parts = i.args.split(/\s+/).filter((part) => !part.startsWith('--'));
    return { sources: parts.slice(0, -1), destination: parts.at(-1) ?? '' };
  });
const copiedPaths = copies.flatMap((copy) => copy.sources.map((source) => path.posix.normalize(source)));

function entryFile(argv: string[]): string | undefined {
  return argv.find((arg) => /\.(ts|tsx|mts|js|mjs)$/.test(arg));
}

describe('Dockerfile', () => {
  const cmdInstruction = instructions.filter((i) => i.keyword === 'CMD').at(-1);
  const cmd = z.array(z.string()).parse(JSON.parse(cmdInstruction?.args ?? 'null'));
  const workerCommand = words(service('worker').command);

  it('builds on node:20-bookworm-slim and installs production dependencies from the lockfile', () => {
    const stages = instructions.filter((i) => i.keyword === 'FROM').map((i) => i.args);
    expect(stages).toEqual(['node:20-bookworm-slim AS build', 'node:20-bookworm-slim']);
    expect(instructions.some((i) => i.keyword === 'RUN' && /\bnpm ci\b[^&;]*--omit=dev/.test(i.args))).toBe(
      true,
    );
    expect(copiedPaths).toEqual(expect.arrayContaining(['package.json', 'package-lock.json']));
  });

  it('sets only ENV names config/index.ts knows (besides NODE_ENV and npm settings)', () => {
    const names = instructions
      .filter((i) => i.keyword === 'ENV')
      .flatMap((i) => [...i.args.matchAll(/(?:^|\s)([A-Za-z_][A-Za-z0-9_]*)=/g)].map((m) => m[1] ?? ''));
    const unknown = names.filter(
      (n) => n !== 'NODE_ENV' && !n.startsWith('npm_config_') && !(ENV_VARIABLES as string[]).includes(n),
    );
    expect(unknown).toEqual([]);
  });

  it('runs the compiled API by default and the compiled worker in the worker service, the same way', () => {
    expect(entryFile(cmd)).toBe('dist/api/main.js');
    expect(entryFile(workerCommand)).toBe('dist/worker/main.js');
    expect(workerCommand.slice(0, -1)).toEqual(cmd.slice(0, -1));
    // The api service must not replace the default command with something else.
    expect(service('api').command).toBeUndefined();
  });

  it.each(['api/main.ts', 'worker/main.ts'])(
    'has the source %s of an entry file in the repository',
    (file) => {
      expect(existsSync(path.join(ROOT, file)), `${file} is missing`).toBe(true);
    },
  );

  it('builds dist/ from the entry files in the build stage and copies only dist/ into the image', () => {
    for (const file of ['api/main.ts', 'worker/main.ts', 'scripts/build.ts', 'tsconfig.json']) {
      const inBuild = copiedPaths.some((p) => p === '.' || file === p || file.startsWith(`${p}/`));
      expect(inBuild, `${file} is not copied`).toBe(true);
    }
    expect(instructions.some((i) => i.keyword === 'RUN' && /\bnpm run build\b/.test(i.args))).toBe(true);
    expect(
      instructions.some((i) => i.keyword === 'COPY' && /^--from=build \/app\/dist \.\/dist$/.test(i.args)),
    ).toBe(true);
  });

  it('copies only paths that exist (docker build fails otherwise)', () => {
    const missing = copiedPaths.filter((p) => !/[*?[]/.test(p) && !existsSync(path.join(ROOT, p)));
    expect(missing).toEqual([]);
  });

  it('copies every source directory of tsconfig.json except tests, benchmarks and dev tools', () => {
    const tsconfig = z
      .object({ include: z.array(z.string()) })
      .parse(JSON.parse(readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')));
    const runtimeDirs = tsconfig.include.filter(
      // the cohort simulator and the chaos experiment are rehearsal tools run from the source tree
      (p) => !/[*?]/.test(p) && !['test', 'bench', 'scripts', 'simulator', 'chaos'].includes(p),
    );
    const notCopied = runtimeDirs.filter((dir) => !copiedPaths.includes(dir) && !copiedPaths.includes('.'));
    expect(notCopied).toEqual([]);
  });
});
