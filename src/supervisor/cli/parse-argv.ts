// dbt-style argument parsing: `<dbt command> [flags]`, where the command may be two words
// (`source freshness`) and `-s/--select` and `--exclude` take several values as dbt's do.
import { DBT_COMMANDS } from '../../shared/contracts.js';
import { flagsFor } from './flags.js';
import type { CliCommand, FlagSpec } from './flags.js';

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export type FlagValue = string | boolean | string[];

export interface ParsedArgv {
  /** The dbt command (`build`, `source-freshness`, ...), when one was given as a word. */
  dbtCommand: string | null;
  values: Record<string, FlagValue>;
}

/** dbt's spellings of our commands (`ls`, `source freshness`). */
const ALIASES: Record<string, string> = { ls: 'list', 'source freshness': 'source-freshness' };

/** The dbt command named by its words, or a usage error listing the valid ones. */
export function dbtCommandOf(words: readonly string[]): string {
  const joined = words.join(' ');
  const command = ALIASES[joined] ?? joined;
  if (!(DBT_COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`unknown dbt command '${joined}' (one of: ${DBT_COMMANDS.join(', ')}, ls, source freshness)`);
  }
  return command;
}

function lookup(specs: readonly FlagSpec[], token: string): FlagSpec {
  const spec = token.startsWith('--') ? specs.find((f) => f.name === token.slice(2)) : specs.find((f) => f.short !== undefined && f.short === token.slice(1));
  if (!spec) throw new UsageError(`unknown option '${token}'`);
  return spec;
}

export function parseArgv(argv: readonly string[], command: CliCommand): ParsedArgv {
  const specs = flagsFor(command);
  const values: Record<string, FlagValue> = {};
  const words: string[] = [];
  let i = 0;
  while (i < argv.length && !(argv[i] as string).startsWith('-')) words.push(argv[i++] as string);
  // `source freshness` is the only two-word command.
  if (words.length > (words[0] === 'source' ? 2 : 1)) throw new UsageError(`unexpected argument '${words.at(-1)}'`);
  while (i < argv.length) {
    const raw = argv[i++] as string;
    if (!raw.startsWith('-') || raw === '-' || raw === '--') throw new UsageError(`unexpected argument '${raw}'`);
    const eq = raw.startsWith('--') ? raw.indexOf('=') : -1;
    const spec = lookup(specs, eq > 0 ? raw.slice(0, eq) : raw);
    const inline = eq > 0 ? raw.slice(eq + 1) : undefined;
    if (spec.kind === 'boolean') {
      if (inline !== undefined) throw new UsageError(`--${spec.name} takes no value`);
      values[spec.name] = true;
      continue;
    }
    const taken: string[] = inline !== undefined ? [inline] : [];
    if (taken.length === 0 && i < argv.length && !(argv[i] as string).startsWith('-')) taken.push(argv[i++] as string);
    if (spec.kind === 'list') while (i < argv.length && !(argv[i] as string).startsWith('-')) taken.push(argv[i++] as string);
    if (taken.length === 0) throw new UsageError(`--${spec.name} needs a value${spec.value ? ` (${spec.value})` : ''}`);
    if (spec.kind === 'string') {
      if (values[spec.name] !== undefined) throw new UsageError(`--${spec.name} given twice`);
      values[spec.name] = taken[0] as string;
    } else {
      values[spec.name] = [...((values[spec.name] as string[] | undefined) ?? []), ...taken];
    }
  }
  return { dbtCommand: words.length > 0 ? dbtCommandOf(words) : null, values };
}
