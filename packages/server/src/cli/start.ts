import { startHerald } from '../app.ts';
import type { HeraldConfig } from '../config.ts';
import { createLogger } from '../logger.ts';
import { redactDatabaseUrl } from './migrate.ts';

export async function startCommand(config: HeraldConfig): Promise<number> {
  const logger = createLogger(config);
  const herald = await startHerald(config, { logger });
  logger.info(
    { role: config.role, url: herald.url, database: redactDatabaseUrl(config.databaseUrl) },
    'Herald started',
  );
  if (herald.generatedAdminKey) {
    // Printed once, to the terminal only: it is stored hashed and cannot be shown again.
    process.stdout.write(
      `\n  Herald admin API key (shown once, store it now):\n\n    ${herald.generatedAdminKey}\n\n` +
        `  Try it:  export HERALD_KEY=${herald.generatedAdminKey}\n` +
        `           curl -H "Authorization: Bearer $HERALD_KEY" ${herald.url ?? 'http://127.0.0.1:8080'}/v1/tenants\n\n`,
    );
  }
  return await new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals += 1;
      if (signals > 1) {
        logger.warn({ signal }, 'second signal: exiting now');
        resolve(130);
        process.exit(130);
      }
      logger.info({ signal }, 'shutting down: no new work, finishing requests in flight');
      const timer = setTimeout(() => {
        logger.warn({ timeoutMs: config.shutdownTimeoutMs }, 'shutdown took too long; exiting');
        process.exit(1);
      }, config.shutdownTimeoutMs);
      timer.unref();
      herald.stop().then(
        () => {
          logger.info('Herald stopped');
          logger.flush?.();
          resolve(0);
        },
        (err: unknown) => {
          logger.error({ err }, 'error while shutting down');
          resolve(1);
        },
      );
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
}
