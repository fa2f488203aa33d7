// The flags of `run` and `local`, in one table: the parser, the help text and the tests all
// read it, so a flag cannot exist without being documented. dbt's own flags keep dbt's names
// and short forms.

export type CliCommand = 'run' | 'local';

export interface FlagSpec {
  /** Long name without the dashes. */
  name: string;
  short?: string;
  /**
   * `string` takes one value, `boolean` none, `repeat` one value per occurrence, `list` is
   * dbt's multi-value option (`-s a b -s c`: the values up to the next flag, repeatable).
   */
  kind: 'string' | 'boolean' | 'repeat' | 'list';
  /** Placeholder of the value in the help text. */
  value?: string;
  help: string;
  commands: readonly CliCommand[];
  /** `dbt` flags mean what they mean to dbt; the others are ours. */
  group: 'dbt' | 'run';
}

const BOTH = ['run', 'local'] as const;
const LOCAL = ['local'] as const;
const RUN = ['run'] as const;

export const FLAGS: readonly FlagSpec[] = [
  { name: 'select', short: 's', kind: 'list', value: 'SPEC', help: 'nodes to include (dbt selector grammar; several values are a union)', commands: BOTH, group: 'dbt' },
  { name: 'exclude', kind: 'list', value: 'SPEC', help: 'nodes to leave out', commands: BOTH, group: 'dbt' },
  { name: 'selector', kind: 'string', value: 'NAME', help: "a named selector from the project's selectors.yml", commands: BOTH, group: 'dbt' },
  { name: 'indirect-selection', kind: 'string', value: 'MODE', help: 'eager (default), cautious, buildable or empty', commands: BOTH, group: 'dbt' },
  { name: 'vars', kind: 'string', value: 'YAML', help: "dbt vars as a YAML or JSON mapping, e.g. '{key: value}'", commands: BOTH, group: 'dbt' },
  { name: 'target', short: 't', kind: 'string', value: 'NAME', help: 'profile target', commands: BOTH, group: 'dbt' },
  { name: 'full-refresh', short: 'f', kind: 'boolean', help: 'rebuild incremental models and seeds from scratch', commands: BOTH, group: 'dbt' },
  { name: 'fail-fast', short: 'x', kind: 'boolean', help: 'start no new node after the first failure', commands: BOTH, group: 'dbt' },
  { name: 'state', kind: 'string', value: 'REF', help: "artifact-store ref of an earlier run's manifest.json (or its directory), for state: selectors", commands: BOTH, group: 'dbt' },
  { name: 'defer', kind: 'boolean', help: "resolve unbuilt refs to the --state (or --defer-state) manifest's relations", commands: BOTH, group: 'dbt' },
  { name: 'defer-state', kind: 'string', value: 'REF', help: 'the manifest to defer to, when it is not --state', commands: BOTH, group: 'dbt' },
  { name: 'event-time-start', kind: 'string', value: 'TIME', help: 'microbatch window start (RFC 3339)', commands: BOTH, group: 'dbt' },
  { name: 'event-time-end', kind: 'string', value: 'TIME', help: 'microbatch window end (RFC 3339, exclusive)', commands: BOTH, group: 'dbt' },
  { name: 'project-dir', kind: 'string', value: 'DIR', help: 'the dbt project (default: the nearest directory up from here with a dbt_project.yml); for run, names the project', commands: BOTH, group: 'dbt' },
  { name: 'profiles-dir', kind: 'string', value: 'DIR', help: 'where profiles.yml is (default: DBT_PROFILES_DIR, the project dir, the current dir, ~/.dbt)', commands: LOCAL, group: 'dbt' },
  { name: 'threads', kind: 'string', value: 'N', help: 'nodes in flight at once (WORKER_MAX_CONCURRENT_ACTIVITIES)', commands: LOCAL, group: 'dbt' },
  { name: 'output', kind: 'string', value: 'FORMAT', help: 'list: selector (default), name, path or json, as dbt ls --output', commands: BOTH, group: 'dbt' },
  { name: 'output-keys', kind: 'list', value: 'KEY', help: 'list --output json: the keys of each row (dot notation for nested keys)', commands: BOTH, group: 'dbt' },
  { name: 'resource-type', kind: 'list', value: 'TYPE', help: 'list: only these resource types (model, seed, test, source, ...; repeatable)', commands: BOTH, group: 'dbt' },
  { name: 'warn-error', kind: 'boolean', help: "treat dbt's warnings as errors (DBT_WARN_ERROR in the run's env)", commands: BOTH, group: 'dbt' },
  { name: 'warn-error-options', kind: 'string', value: 'YAML', help: "dbt's --warn-error-options, e.g. '{error: all, warn: [NoNodesForSelectionCriteria]}'", commands: BOTH, group: 'dbt' },
  { name: 'quiet', short: 'q', kind: 'boolean', help: 'no progress and no per-node lines: only the summary', commands: BOTH, group: 'dbt' },
  { name: 'reuse', kind: 'boolean', help: 'reuse nodes whose build inputs did not change since their last build (docs/reuse.md)', commands: BOTH, group: 'run' },
  { name: 'no-reuse', kind: 'boolean', help: "rebuild everything even when dbt_temporal.yml's reuse.enabled is on", commands: BOTH, group: 'run' },
  { name: 'plan', kind: 'boolean', help: 'print what would be built or reused, and why, without building', commands: BOTH, group: 'run' },
  { name: 'project', kind: 'string', value: 'NAME', help: "the project's name, when the worker serves several", commands: BOTH, group: 'run' },
  { name: 'command', kind: 'string', value: 'CMD', help: 'the dbt command as a flag (same as the positional one)', commands: BOTH, group: 'run' },
  { name: 'input', kind: 'string', value: 'JSON', help: 'the whole DbtRunInput as JSON (the other flags override its fields)', commands: BOTH, group: 'run' },
  { name: 'env', kind: 'repeat', value: 'KEY=VALUE', help: "per-run environment for env_var() (repeatable)", commands: BOTH, group: 'run' },
  { name: 'retry-from', kind: 'string', value: 'REF', help: "artifact-store ref of an earlier run_results.json: rerun what did not succeed", commands: BOTH, group: 'run' },
  { name: 'state-manifest-ref', kind: 'string', value: 'REF', help: 'input field state_manifest_ref (like --state)', commands: BOTH, group: 'run' },
  { name: 'defer-manifest-ref', kind: 'string', value: 'REF', help: 'input field defer_manifest_ref (like --defer --state)', commands: BOTH, group: 'run' },
  { name: 'task-queue', kind: 'string', value: 'QUEUE', help: 'task queue of the workers (default TEMPORAL_TASK_QUEUE, dbt-tasks)', commands: RUN, group: 'run' },
  { name: 'workflow-id', kind: 'string', value: 'ID', help: 'workflow id of the run (default dbt-run-<uuid>)', commands: RUN, group: 'run' },
  { name: 'ui', kind: 'boolean', help: "keep the dev server's Temporal Web UI up after the run (until Ctrl-C) and print the run's URL", commands: LOCAL, group: 'run' },
  { name: 'log-file', kind: 'string', value: 'PATH', help: "where the worker's logs go (default: a temp file, removed after a clean run)", commands: LOCAL, group: 'run' },
  { name: 'verbose', short: 'v', kind: 'boolean', help: "show the worker's and the Temporal SDK's logs on stderr instead of a log file", commands: LOCAL, group: 'run' },
  { name: 'no-daemon', kind: 'boolean', help: 'start a dev server and worker for this run only and tear them down after it (DBT_TEMPORAL_LOCAL_DAEMON=0)', commands: LOCAL, group: 'run' },
  { name: 'idle-timeout', kind: 'string', value: 'SECS', help: 'the warm daemon stops after this long without a run (default DBT_TEMPORAL_LOCAL_IDLE_SECS, 300)', commands: LOCAL, group: 'run' },
  { name: 'stop', kind: 'boolean', help: "stop the project's warm daemon (its dev server and worker) and run nothing", commands: LOCAL, group: 'run' },
  { name: 'json', kind: 'boolean', help: 'print the DbtRunOutput as JSON (nothing else on stdout)', commands: BOTH, group: 'run' },
  { name: 'help', short: 'h', kind: 'boolean', help: 'this help', commands: BOTH, group: 'run' },
];

/** The flags a command takes. */
export function flagsFor(command: CliCommand): FlagSpec[] {
  return FLAGS.filter((f) => f.commands.includes(command));
}
