// CLI entry: dispatches subcommands and maps errors to exit codes
// (0 ok, 1 run failed, 2 usage or configuration error).
import { CodedError } from '../../shared/errors.js';
import { UsageError } from './args.js';
import { codecServerCommand } from './codec-server-command.js';
import { healthcheckCommand } from './healthcheck-command.js';
import { LOCAL_USAGE, localCommand } from './local-command.js';
import { RUN_USAGE, runCommand } from './run-command.js';
import { workerCommand } from './worker-command.js';

const USAGE = `Usage: dbt-temporal <command> [options]

Commands:
  worker        run the long-running worker (configured by environment variables)
  run           start a dbt_run on a task queue and wait for the result
  local         embedded Temporal dev server + worker + one run, then teardown
  healthcheck   exit 0 if HEALTH_FILE is fresh (< 60 s), else 1
  codec-server  serve the payload codec (DBT_TEMPORAL_CODEC_KEYS) to the Temporal UI on CODEC_SERVER_PORT

${RUN_USAGE}

${LOCAL_USAGE}`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'worker':
      return workerCommand();
    case 'run':
      return runCommand(rest);
    case 'local':
      return localCommand(rest);
    case 'healthcheck':
      return healthcheckCommand(process.env);
    case 'codec-server':
      return codecServerCommand(process.env);
    case undefined:
    case '-h':
    case '--help':
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    process.stderr.write(`dbt-temporal: ${err.message}\n\n${USAGE}\n`);
    process.exitCode = 2;
  } else if (err instanceof CodedError && err.code === 'CONFIG_ERROR') {
    process.stderr.write(`dbt-temporal: configuration error: ${err.message}\n`);
    process.exitCode = 2;
  } else {
    process.stderr.write(`dbt-temporal: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
  // After a start-up error the Temporal runtime's native threads would keep the process alive
  // (the worker would hang instead of failing): exit once stderr has drained.
  process.stderr.write('', () => process.exit(process.exitCode ?? 1));
}
