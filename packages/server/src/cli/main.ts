import { parseArgs } from 'node:util';
import { HeraldError } from '../domain/errors.ts';
import { HERALD_VERSION } from '../version.ts';

const HELP = `Herald ${HERALD_VERSION} — self-hosted webhook delivery

Usage:
  herald start [--role all|api|worker] [--host HOST] [--port PORT]
                        run the API and/or the delivery worker
  herald migrate        apply database migrations and exit
  herald listen <forward-url> --api URL --token TOKEN [--endpoint ID | --events PATTERNS]
                        forward a relay:// endpoint's deliveries to a local server
                        (herald listen --help for more)
  herald --help         show this help
  herald --version      print the version

Configuration comes from HERALD_* environment variables (see docs/configuration.md):
  HERALD_HOST, HERALD_PORT            where the API listens (127.0.0.1, 8080)
  HERALD_DATABASE_URL                 sqlite:<path> or postgres://… (sqlite:./.herald/herald.db)
  HERALD_API_KEY                      the admin key (else generated at first start, printed once)
  HERALD_ALLOW_PRIVATE_NETWORKS       true, or CIDRs endpoints may resolve to (none)
  HERALD_ROLE                         all, api or worker (all)
  HERALD_LOG_LEVEL, HERALD_LOG_FILE   pino level (info) and optional log file
`;

/** Runs the CLI; returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  // `listen` is a client of a running Herald: its own flags, no HERALD_* configuration, and none
  // of the server loaded (the commands are imported when run, so it starts in a moment).
  if (argv[0] === 'listen') return await (await import('./listen.ts')).listenCommand(argv.slice(1));
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (err) {
    process.stderr.write(`herald: ${(err as Error).message}\nRun 'herald --help' for usage.\n`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${HERALD_VERSION}\n`);
    return 0;
  }
  const command = positionals[0];
  if (values.help || command === undefined || command === 'help') {
    process.stdout.write(HELP);
    return 0;
  }
  try {
    const overrides = {
      ...(values.role ? { HERALD_ROLE: values.role as 'all' | 'api' | 'worker' } : {}),
      ...(values.host ? { HERALD_HOST: values.host } : {}),
      ...(values.port ? { HERALD_PORT: values.port as unknown as number } : {}),
    };
    const { loadConfig } = await import('../config.ts');
    const config = loadConfig(process.env, overrides);
    if (command === 'start') return await (await import('./start.ts')).startCommand(config);
    if (command === 'migrate') return await (await import('./migrate.ts')).migrateCommand(config);
    process.stderr.write(`herald: unknown command '${command}'. Run 'herald --help' for usage.\n`);
    return 2;
  } catch (err) {
    if (err instanceof HeraldError && err.code === 'config_invalid') {
      process.stderr.write(`herald: ${err.message}\n`);
      return 78; // EX_CONFIG
    }
    process.stderr.write(`herald: ${(err as Error).stack ?? String(err)}\n`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'v' },
      role: { type: 'string' },
      host: { type: 'string' },
      port: { type: 'string' },
    },
  });
}
