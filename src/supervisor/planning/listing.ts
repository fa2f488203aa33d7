// `list` as `dbt ls` prints it: one line per selected node, as selectors (dbt's default), names,
// paths or JSON rows. Plans read dbt ls's own JSON rows; the other forms are derived from the
// keys dbt's ListTask uses for them (generate_selectors / generate_names / generate_paths).
import type { ListOptions } from '../../shared/list-options.js';

/** The keys the name, path and selector forms are made of (unique_id always: it is the plan). */
const FORM_KEYS = ['unique_id', 'name', 'resource_type', 'package_name', 'original_file_path', 'source_name', 'fqn', 'version'];

/** dbt ls's `--output-keys` for the plan's listing: null for dbt's default JSON keys. */
export function listingKeys(opts: ListOptions): string[] | null {
  if (opts.output !== 'json') return FORM_KEYS;
  if (opts.output_keys.length === 0) return null;
  return opts.output_keys.includes('unique_id') ? opts.output_keys : [...opts.output_keys, 'unique_id'];
}

interface Row {
  unique_id?: string;
  name?: string;
  resource_type?: string;
  package_name?: string;
  original_file_path?: string;
  source_name?: string;
  fqn?: string[];
  version?: string | number | null;
}

/** A JSON row without the unique_id the plan added (dbt's text otherwise unchanged). */
function withoutAddedId(row: string): string {
  return row.replace(/, "unique_id": "[^"\\]*"\}$/, '}').replace(/^\{"unique_id": "[^"\\]*"\}$/, '{}');
}

function selectorOf(r: Row): string {
  const pkg = r.package_name ?? '';
  const name = r.name ?? '';
  switch (r.resource_type) {
    case 'source':
      return `source:${pkg}.${r.source_name ?? ''}.${name}`;
    case 'exposure':
    case 'metric':
    case 'saved_query':
    case 'semantic_model':
      return `${r.resource_type}:${pkg}.${name}`;
    case 'unit_test':
      return `unit_test:${pkg}.${name}${r.version === null || r.version === undefined ? '' : `_v${r.version}`}`;
    default:
      return (r.fqn ?? []).join('.');
  }
}

function nameOf(r: Row): string {
  if (r.resource_type === 'source') return `${r.source_name ?? ''}.${r.name ?? ''}`;
  if (r.resource_type === 'model' && r.version !== null && r.version !== undefined) return `${r.name ?? ''}.v${r.version}`;
  return r.name ?? '';
}

/** The lines `dbt ls --output <form>` prints for these rows (dbt ls's order: by unique id). */
export function listingLines(rows: readonly string[], opts: ListOptions): string[] {
  const parsed = rows.map((text) => ({ text, row: JSON.parse(text) as Row }));
  parsed.sort((a, b) => ((a.row.unique_id ?? '') < (b.row.unique_id ?? '') ? -1 : (a.row.unique_id ?? '') > (b.row.unique_id ?? '') ? 1 : 0));
  switch (opts.output) {
    case 'json':
      return parsed.map(({ text }) => (opts.output_keys.length > 0 && !opts.output_keys.includes('unique_id') ? withoutAddedId(text) : text));
    case 'name':
      return parsed.map(({ row }) => nameOf(row));
    case 'path':
      return parsed.map(({ row }) => row.original_file_path ?? '');
    default:
      return parsed.map(({ row }) => selectorOf(row));
  }
}

/** What a listing may weigh: the plan and the run's output both carry it (Temporal caps a payload at 2 MB). */
export const LISTING_BUDGET_BYTES = 800_000;

/** The listing within the budget; a cut one ends with a line that says how much is missing. */
export function fitListing(lines: readonly string[], budgetBytes = LISTING_BUDGET_BYTES): string[] {
  let used = 0;
  for (let i = 0; i < lines.length; i++) {
    used += Buffer.byteLength(lines[i] as string) + 1;
    if (used > budgetBytes) {
      return [...lines.slice(0, i), `... ${lines.length - i} more lines not shown: the listing is larger than a run's payload (run dbt ls for all of it, or narrow it with --output-keys or -s)`];
    }
  }
  return [...lines];
}
