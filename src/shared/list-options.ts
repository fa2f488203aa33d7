// `list`'s options as `dbt ls` has them (--output, --output-keys, --resource-type), validated
// from the run's input. Pure (workflow-safe).
import { describeValue } from './limits.js';

export const LIST_OUTPUTS = ['selector', 'name', 'path', 'json'] as const;
export type ListOutput = (typeof LIST_OUTPUTS)[number];

/** dbt ls's --resource-type choices. */
export const LIST_RESOURCE_TYPES = [
  'metric', 'semantic_model', 'saved_query', 'source', 'analysis', 'function', 'model', 'test', 'unit_test', 'exposure', 'snapshot', 'seed', 'default', 'all',
] as const;

export interface ListOptions {
  /** @default 'selector' (dbt ls's default) */
  output: ListOutput;
  /** JSON keys of `--output json` (dot notation for nested keys); empty: dbt's default keys. */
  output_keys: string[];
  /** Resource types to list; empty: dbt ls's default set. */
  resource_types: string[];
}

export const DEFAULT_LIST_OPTIONS: ListOptions = { output: 'selector', output_keys: [], resource_types: [] };

/** A string list given as a JSON array or as one space-separated string (dbt's multi-value flags). */
function words(input: Record<string, unknown>, key: string): string[] {
  const value = input[key];
  if (value === undefined || value === null) return [];
  if (typeof value === 'string') return value.split(/\s+/).filter(Boolean);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return (value as string[]).flatMap((v) => v.split(/\s+/)).filter(Boolean);
  throw new TypeError(`input.${key} must be a string or an array of strings, got ${describeValue(value)}`);
}

/** The list options of a run's input; null when none is given. Throws TypeError naming the field. */
export function parseListOptions(input: Record<string, unknown>, command: string): ListOptions | null {
  const output = input['output'];
  const keys = words(input, 'output_keys');
  const types = words(input, 'resource_types').map((t) => t.toLowerCase());
  if ((output === undefined || output === null) && keys.length === 0 && types.length === 0) return null;
  if (command !== 'list') throw new TypeError(`input.output, input.output_keys and input.resource_types are options of the list command, not of '${command}'`);
  if (output !== undefined && output !== null && (typeof output !== 'string' || !(LIST_OUTPUTS as readonly string[]).includes(output.toLowerCase()))) {
    throw new TypeError(`input.output must be one of ${LIST_OUTPUTS.join(', ')}; got ${describeValue(output)}`);
  }
  const form = (typeof output === 'string' ? output.toLowerCase() : 'selector') as ListOutput;
  for (const t of types) {
    if (!(LIST_RESOURCE_TYPES as readonly string[]).includes(t)) throw new TypeError(`input.resource_types: ${JSON.stringify(t)} is not one of ${LIST_RESOURCE_TYPES.join(', ')}`);
  }
  return { output: form, output_keys: keys, resource_types: types };
}
