// Help text, generated from the flag table (every flag a command takes is listed).
import { DBT_COMMANDS } from '../../shared/contracts.js';
import { flagsFor } from './flags.js';
import type { CliCommand, FlagSpec } from './flags.js';

const DBT_COMMAND_LINE = `dbt commands: ${DBT_COMMANDS.filter((c) => c !== 'source-freshness').join(', ')}, ls, source freshness (default: build)`;

const INTROS: Record<CliCommand, string> = {
  local: `Usage: dbt-temporal local [<dbt command>] [flags]
Runs one dbt command on this machine as a dbt_run workflow: an embedded Temporal dev server,
a worker for the project, the run. Like dbt, it works from inside the project. The server and
worker stay warm in a background daemon (per project and profiles dir) until idle for
--idle-timeout: the next run skips their start and the parse; --stop stops it, --no-daemon
(also implied by --ui, --verbose, --log-file) tears them down after the run.
  e.g. dbt-temporal local build -s +customers --vars '{day: 2024-01-01}'`,
  run: `Usage: dbt-temporal run [<dbt command>] [flags]
Starts a dbt_run workflow for workers elsewhere (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE,
TEMPORAL_TASK_QUEUE; TLS and API key as the worker's) and waits for it. With TEMPORAL_UI_URL
set (or a dev server's address), prints the run's Temporal UI link.
  e.g. dbt-temporal run test --select tag:nightly --target prod`,
};

function flagLine(f: FlagSpec): string {
  const names = `${f.short ? `-${f.short}, ` : '    '}--${f.name}${f.value ? ` ${f.value}` : ''}`;
  return `  ${names.padEnd(32)} ${f.help}`;
}

export function commandUsage(command: CliCommand): string {
  const flags = flagsFor(command);
  return [
    INTROS[command],
    DBT_COMMAND_LINE,
    '',
    'dbt flags:',
    ...flags.filter((f) => f.group === 'dbt').map(flagLine),
    '',
    'dbt-temporal flags:',
    ...flags.filter((f) => f.group === 'run').map(flagLine),
    '',
    'Exit codes: 0 the run succeeded, 1 it failed (the output is still printed), 2 usage or configuration error.',
  ].join('\n');
}

export const MAIN_USAGE = `Usage: dbt-temporal <command> [options]

Commands:
  local [<dbt command>] [flags]   run dbt on this machine through an embedded Temporal dev server
  run [<dbt command>] [flags]     start a dbt_run on a task queue (workers elsewhere) and wait
  worker                          the long-running worker (configured by environment variables)
  bench [flags]                   tune on your project: a sweep of worker settings vs plain dbt build
  healthcheck                     exit 0 if HEALTH_FILE is fresh (< 60 s), else 1
  setup                           install the Python toolchain (dbt, adapters, Temporal CLI) now
  codec-server                    serve the payload codec (DBT_TEMPORAL_CODEC_KEYS) to the Temporal UI on CODEC_SERVER_PORT

\`dbt-temporal <command> --help\` lists a command's flags. dbt's own flags keep dbt's names:
  dbt-temporal local build -s +customers --full-refresh`;

export const WORKER_USAGE = `Usage: dbt-temporal worker
The long-running worker; every setting is an environment variable (see docs/configuration.md).`;

export const HEALTHCHECK_USAGE = `Usage: dbt-temporal healthcheck
Exit 0 when HEALTH_FILE (default /tmp/health) was touched in the last 60 s, else 1.`;
