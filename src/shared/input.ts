// Validation and normalisation of `dbt_run` input; pure, used by the workflow and the CLI.
import { DBT_COMMANDS, INDIRECT_SELECTION_MODES } from './contracts.js';
import type { DbtCommand, IndirectSelection, JsonValue } from './contracts.js';

/** The validated, defaulted form of DbtRunInput that the run works with. */
export interface RunRequest {
  project: string | null;
  command: DbtCommand;
  select: string | null;
  exclude: string | null;
  indirect_selection: IndirectSelection | null;
  vars: Record<string, JsonValue>;
  target: string | null;
  full_refresh: boolean;
  fail_fast: boolean;
  env: Record<string, string>;
}

/** Commands this version executes; the others are accepted by the contract but rejected here. */
export const SUPPORTED_COMMANDS: readonly DbtCommand[] = ['build', 'run', 'test', 'seed'];

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optString(input: Record<string, unknown>, key: string): string | null {
  const value = input[key];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new TypeError(`input.${key} must be a string, got ${JSON.stringify(value)}`);
  const trimmed = value.trim();
  return trimmed === '' ? null : trimmed;
}

function optBool(input: Record<string, unknown>, key: string): boolean {
  const value = input[key];
  if (value === undefined || value === null) return false;
  if (typeof value !== 'boolean') throw new TypeError(`input.${key} must be a boolean, got ${JSON.stringify(value)}`);
  return value;
}

/** Validates raw workflow input; throws TypeError naming the field and the rule. */
export function parseRunInput(raw: unknown): RunRequest {
  const input: Record<string, unknown> = raw === undefined || raw === null ? {} : (raw as Record<string, unknown>);
  if (!isObject(input)) throw new TypeError(`input must be a JSON object, got ${JSON.stringify(raw)}`);

  const command = optString(input, 'command') ?? 'build';
  if (!(DBT_COMMANDS as readonly string[]).includes(command)) {
    throw new TypeError(`input.command must be one of ${DBT_COMMANDS.join(', ')}; got ${JSON.stringify(command)}`);
  }
  if (!SUPPORTED_COMMANDS.includes(command as DbtCommand)) {
    throw new TypeError(`input.command ${JSON.stringify(command)} is not supported yet; supported: ${SUPPORTED_COMMANDS.join(', ')}`);
  }

  const indirect = optString(input, 'indirect_selection')?.toLowerCase() ?? null;
  if (indirect !== null && !(INDIRECT_SELECTION_MODES as readonly string[]).includes(indirect)) {
    throw new TypeError(`input.indirect_selection must be one of ${INDIRECT_SELECTION_MODES.join(', ')}; got ${JSON.stringify(indirect)}`);
  }

  const vars = input['vars'] ?? {};
  if (!isObject(vars)) throw new TypeError(`input.vars must be a JSON object, got ${JSON.stringify(vars)}`);

  const env = input['env'] ?? {};
  if (!isObject(env)) throw new TypeError(`input.env must be an object of strings, got ${JSON.stringify(env)}`);
  for (const [key, value] of Object.entries(env)) {
    if (typeof value !== 'string') throw new TypeError(`input.env.${key} must be a string, got ${JSON.stringify(value)}`);
  }

  return {
    project: optString(input, 'project'),
    command: command as DbtCommand,
    select: optString(input, 'select'),
    exclude: optString(input, 'exclude'),
    indirect_selection: indirect as IndirectSelection | null,
    vars: vars as Record<string, JsonValue>,
    target: optString(input, 'target'),
    full_refresh: optBool(input, 'full_refresh'),
    fail_fast: optBool(input, 'fail_fast'),
    env: env as Record<string, string>,
  };
}
