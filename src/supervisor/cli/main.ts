// CLI entry: dispatches subcommands and maps errors to exit codes
// (0 ok, 1 run failed, 2 usage or configuration error).
// Each command's module is loaded when it runs: the worker's (seconds of imports) never slows
// `local` on a warm daemon, `run` or `healthcheck`.
import { CodedError } from '../../shared/errors.js';
import { UsageError } from './parse-argv.js';
import { HEALTHCHECK_USAGE, MAIN_USAGE, WORKER_USAGE } from './help.js';
import { ensureToolchain, installToolchain } from './toolchain.js';

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
      return (await import('./worker-command.js')).workerCommand();
    case 'run':
      return (await import('./run-command.js')).runCommand(rest, env, process.cwd());
    case 'local':
      return (await import('./local-command.js')).localCommand(rest, env, process.cwd());
    case 'healthcheck':
      if (wantsHelp(rest)) return usage(HEALTHCHECK_USAGE);
      return (await import('./healthcheck-command.js')).healthcheckCommand(env);
    case 'bench':
      return (await import('./bench-command.js')).benchCommand(rest, env, process.cwd());
    case 'setup':
      return installToolchain(env) ? 0 : 1;
    case 'codec-server':
      return (await import('./codec-server-command.js')).codecServerCommand(env);
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
  } else if (err instanceof CodedError) {
    // A known failure (its code says which): its message, not a stack trace.
    process.stderr.write(`dbt-temporal: ${err.code}: ${err.message}\n`);
    process.exitCode = 1;
  } else {
    process.stderr.write(`dbt-temporal: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  }
  // After a start-up error the Temporal runtime's native threads would keep the process alive
  // (the worker would hang instead of failing): exit once stderr has drained.
  process.stderr.write('', () => process.exit(process.exitCode ?? 1));
}
