// CLI entry: dispatches subcommands and maps errors to exit codes
// (0 ok, 1 run failed, 2 usage or configuration error).
import { CodedError } from '../../shared/errors.js';
import { benchCommand } from './bench-command.js';
import { UsageError } from './parse-argv.js';
import { codecServerCommand } from './codec-server-command.js';
import { healthcheckCommand } from './healthcheck-command.js';
import { HEALTHCHECK_USAGE, MAIN_USAGE, WORKER_USAGE } from './help.js';
import { localCommand } from './local-command.js';
import { runCommand } from './run-command.js';
import { ensureToolchain, installToolchain } from './toolchain.js';
import { workerCommand } from './worker-command.js';

const wantsHelp = (args: string[]): boolean => args.includes('--help') || args.includes('-h');

function usage(text: string): number {
  process.stdout.write(`${text}\n`);
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const env = process.env;
  switch (command) {
    case 'worker':
      if (wantsHelp(rest)) return usage(WORKER_USAGE);
      if (rest.length > 0) throw new UsageError(`worker takes no arguments (got ${rest.join(' ')}); it is configured by environment variables`);
      if (!ensureToolchain(env, false)) throw new CodedError('CONFIG_ERROR', 'the Python toolchain could not be set up (see above)');
      return workerCommand();
    case 'run':
      return runCommand(rest, env, process.cwd());
    case 'local':
      return localCommand(rest, env, process.cwd());
    case 'healthcheck':
      if (wantsHelp(rest)) return usage(HEALTHCHECK_USAGE);
      return healthcheckCommand(env);
    case 'bench':
      return benchCommand(rest, env, process.cwd());
    case 'setup':
      return installToolchain(env) ? 0 : 1;
    case 'codec-server':
      return codecServerCommand(env);
    case undefined:
      process.stderr.write(`${MAIN_USAGE}\n`);
      return 2;
    case '-h':
    case '--help':
    case 'help':
      return usage(MAIN_USAGE);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

try {
  process.exitCode = await main(process.argv.slice(2));
} catch (err) {
  if (err instanceof UsageError) {
    const command = process.argv[2];
    const more = command === 'run' || command === 'local' || command === 'bench' ? `dbt-temporal ${command} --help` : 'dbt-temporal --help';
    process.stderr.write(`dbt-temporal: ${err.message}\n(${more} lists the commands and flags)\n`);
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
