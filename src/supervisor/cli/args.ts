// Argument parsing shared by `run` and `local`: the whole input as --input JSON, every input
// field as its own flag (flags win over --input), and the output switches.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { DbtRunInput, JsonValue } from '../../shared/contracts.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** String flags that map 1:1 onto input fields (`--event-time-start` -> `event_time_start`). */
const STRING_FIELDS = [
  'project', 'command', 'select', 'exclude', 'indirect-selection', 'target', 'defer-manifest-ref',
  'state-manifest-ref', 'retry-from', 'event-time-start', 'event-time-end',
] as const;

export const RUN_INPUT_FLAGS = {
  input: { type: 'string' },
  project: { type: 'string' },
  command: { type: 'string' },
  select: { type: 'string', short: 's' },
  exclude: { type: 'string' },
  'indirect-selection': { type: 'string' },
  target: { type: 'string', short: 't' },
  vars: { type: 'string' },
  env: { type: 'string', multiple: true },
  'full-refresh': { type: 'boolean' },
  'fail-fast': { type: 'boolean' },
  'defer-manifest-ref': { type: 'string' },
  'state-manifest-ref': { type: 'string' },
  'retry-from': { type: 'string' },
  'event-time-start': { type: 'string' },
  'event-time-end': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export type RunInputFlagValues = {
  [K in (typeof STRING_FIELDS)[number] | 'input' | 'vars']?: string;
} & { env?: string[]; 'full-refresh'?: boolean; 'fail-fast'?: boolean };

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

function parseJsonObject(flag: string, text: string): Record<string, JsonValue> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`${flag} is not valid JSON: ${(err as Error).message}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new UsageError(`${flag} must be a JSON object`);
  return value as Record<string, JsonValue>;
}

/** The DbtRunInput from `--input '<json>'` overlaid with the individual flags. */
export function runInputFromFlags(values: RunInputFlagValues): DbtRunInput {
  const input = (values.input !== undefined ? parseJsonObject('--input', values.input) : {}) as DbtRunInput & Record<string, unknown>;
  for (const flag of STRING_FIELDS) {
    const value = values[flag];
    if (value !== undefined) input[flag.replaceAll('-', '_')] = value;
  }
  if (values.vars !== undefined) input.vars = parseJsonObject('--vars', values.vars);
  if (values['full-refresh']) input.full_refresh = true;
  if (values['fail-fast']) input.fail_fast = true;
  if (values.env !== undefined) {
    const env: Record<string, string> = { ...(input.env ?? {}) };
    for (const pair of values.env) {
      const eq = pair.indexOf('=');
      if (eq <= 0) throw new UsageError(`--env expects KEY=VALUE, got ${JSON.stringify(pair)}`);
      env[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    input.env = env;
  }
  return input;
}
