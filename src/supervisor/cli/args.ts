// From parsed flags to the run's DbtRunInput: `--input` JSON first, then each flag overrides
// its field. dbt's flags map onto the input's fields (`--state` -> state_manifest_ref, ...).
import { parse as parseYaml } from 'yaml';
import type { DbtRunInput, JsonValue } from '../../shared/contracts.js';
import { UsageError } from './parse-argv.js';
import type { ParsedArgv } from './parse-argv.js';

export { UsageError } from './parse-argv.js';

/** String flags that map 1:1 onto input fields (`--event-time-start` -> `event_time_start`). */
const STRING_FIELDS = [
  'project', 'selector', 'indirect-selection', 'target', 'defer-manifest-ref', 'state-manifest-ref', 'retry-from',
  'event-time-start', 'event-time-end',
] as const;

function isMapping(value: unknown): value is Record<string, JsonValue> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseInputJson(text: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--input is not valid JSON: ${(err as Error).message}`);
  }
  if (!isMapping(value)) throw new UsageError('--input must be a JSON object');
  return value;
}

/** dbt's --vars: a YAML (or JSON, which is YAML) mapping. */
function parseVars(text: string): Record<string, JsonValue> {
  let value: unknown;
  try {
    value = parseYaml(text);
  } catch (err) {
    throw new UsageError(`--vars is not valid YAML: ${(err as Error).message}`);
  }
  if (!isMapping(value)) throw new UsageError(`--vars must be a YAML or JSON mapping, got ${JSON.stringify(text)}`);
  return value;
}

/** dbt's --state is a directory holding manifest.json; an artifact ref may name either. */
export function manifestRef(ref: string): string {
  return ref.endsWith('.json') ? ref : `${ref.replace(/\/+$/, '')}/manifest.json`;
}

function parseEnv(pairs: readonly string[], base: Record<string, string>): Record<string, string> {
  const env = { ...base };
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE, got ${JSON.stringify(pair)}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}

/** dbt ls's --output, --output-keys and --resource-type onto the input's list fields. */
function listFlags(input: DbtRunInput, values: ParsedArgv['values']): void {
  if (values['output'] !== undefined) input.output = values['output'] as string;
  if (values['output-keys'] !== undefined) input.output_keys = values['output-keys'] as string[];
  if (values['resource-type'] !== undefined) input.resource_types = values['resource-type'] as string[];
}

/** The DbtRunInput the flags describe. */
export function runInputFromArgs({ dbtCommand, values }: ParsedArgv): DbtRunInput {
  const str = (name: string): string | undefined => values[name] as string | undefined;
  const input = (str('input') !== undefined ? parseInputJson(str('input') as string) : {}) as DbtRunInput & Record<string, unknown>;
  const flagCommand = str('command');
  if (dbtCommand && flagCommand && flagCommand !== dbtCommand) throw new UsageError(`the command is given twice: '${dbtCommand}' and --command ${flagCommand}`);
  const command = dbtCommand ?? flagCommand;
  if (command !== undefined) input.command = command;
  for (const flag of STRING_FIELDS) {
    const value = str(flag);
    if (value !== undefined) input[flag.replaceAll('-', '_')] = value;
  }
  for (const flag of ['select', 'exclude'] as const) {
    const list = values[flag] as string[] | undefined;
    if (list !== undefined) input[flag] = list.join(' ');
  }
  if (str('vars') !== undefined) input.vars = parseVars(str('vars') as string);
  if (values['full-refresh']) input.full_refresh = true;
  if (values['fail-fast']) input.fail_fast = true;
  if (values['reuse'] && values['no-reuse']) throw new UsageError('--reuse and --no-reuse contradict each other');
  if (values['reuse']) input.reuse = true;
  if (values['no-reuse']) input.reuse = false;
  if (values['plan']) input.plan_only = true;
  const state = str('state');
  if (state !== undefined) input.state_manifest_ref = manifestRef(state);
  if (values['defer']) {
    const deferTo = str('defer-state') ?? state;
    if (deferTo === undefined) throw new UsageError('--defer needs --state or --defer-state');
    input.defer_manifest_ref = manifestRef(deferTo);
  } else if (str('defer-state') !== undefined) {
    throw new UsageError('--defer-state needs --defer');
  }
  const env = values['env'] as string[] | undefined;
  if (env !== undefined) input.env = parseEnv(env, input.env ?? {});
  listFlags(input, values);
  // dbt reads --warn-error and --warn-error-options from these too: they reach every dbt invocation of the run.
  if (values['warn-error']) input.env = { ...input.env, DBT_WARN_ERROR: 'true' };
  if (str('warn-error-options') !== undefined) input.env = { ...input.env, DBT_WARN_ERROR_OPTIONS: str('warn-error-options') as string };
  return input;
}
