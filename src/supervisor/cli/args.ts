// Argument parsing shared by `run` and `local`: the run-input flags and output switches.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import type { DbtRunInput } from '../../shared/contracts.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const RUN_INPUT_FLAGS = {
  input: { type: 'string' },
  project: { type: 'string' },
  command: { type: 'string' },
  select: { type: 'string', short: 's' },
  exclude: { type: 'string' },
  target: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export function parseFlags<T extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: T) {
  try {
    return parseArgs({ args: argv, options, strict: true, allowPositionals: false }).values;
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** The DbtRunInput from `--input '<json>'` overlaid with the individual flags. */
export function runInputFromFlags(values: { input?: string; project?: string; command?: string; select?: string; exclude?: string; target?: string }): DbtRunInput {
  let input: DbtRunInput = {};
  if (values.input !== undefined) {
    try {
      input = JSON.parse(values.input) as DbtRunInput;
    } catch (err) {
      throw new UsageError(`--input is not valid JSON: ${(err as Error).message}`);
    }
    if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new UsageError('--input must be a JSON object');
  }
  for (const key of ['project', 'command', 'select', 'exclude', 'target'] as const) {
    const value = values[key];
    if (value !== undefined) input[key] = value;
  }
  return input;
}
