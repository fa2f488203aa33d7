// The summary the CLI prints from a run's output: dbt's error summary (headings with the node's
// file, messages, `compiled code at` a file that exists), nothing but dbt's warning for an empty
// run, and only dbt ls's lines for `list`.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { DbtRunOutput, NodeResult } from '../../../src/shared/contracts.js';
import { keepCompiledCode } from '../../../src/supervisor/cli/compiled-code.js';
import { formatSummary } from '../../../src/supervisor/cli/summary.js';

const result = (unique_id: string, status: NodeResult['status'], extra: Partial<NodeResult> = {}): NodeResult => ({
  unique_id, status, execution_time: 0.1, message: null, adapter_response: {}, compiled_code: null, timing: [], failures: null, ...extra,
});
const output = (results: NodeResult[], extra: Partial<DbtRunOutput> = {}): DbtRunOutput => ({
  invocation_id: 'inv-1', project: 'p', command: 'build', success: false, skipped: false, node_results: results, elapsed_time: 1.5, hook_errors: [], ...extra,
});

const dirs: string[] = [];
afterAll(async () => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

describe('run summary', () => {
  it("prints dbt's failure and warning blocks, each with compiled code that exists", async () => {
    const tmp = await mkdtemp(join(tmpdir(), 'summary-'));
    dirs.push(tmp);
    const out = output([
      result('model.p.good', 'success'),
      result('model.p.bad', 'error', { message: 'Runtime Error in model bad (models/bad.sql)\n  Binder Error: nope', compiled_code: 'select nope', path: 'models/bad.sql' }),
      result('test.p.small.abc', 'warn', { message: 'Got 2 results, configured to warn if != 0', compiled_code: 'select 2', path: 'models/_models.yml', failures: 2 }),
    ]);
    const compiled = keepCompiledCode(out, tmp);
    const text = formatSummary(out, { nodeLines: false, compiled });
    const bad = join(tmp, 'dbt-temporal-run-inv-1', 'compiled', 'p', 'models', 'bad.sql');
    const small = join(tmp, 'dbt-temporal-run-inv-1', 'compiled', 'p', 'models', '_models.yml', 'small.sql');
    expect(text).toContain([
      'Completed with 1 error, 0 partial successes, and 1 warning:', '',
      'Failure in model bad (models/bad.sql)', '  Runtime Error in model bad (models/bad.sql)', '  Binder Error: nope', '',
      `  compiled code at ${bad}`, '',
      'Warning in test small (models/_models.yml)', 'Got 2 results, configured to warn if != 0', '',
      `  compiled code at ${small}`, '',
      'Done. PASS=1 WARN=1 ERROR=1 SKIP=0 NO-OP=0 TOTAL=3',
    ].join('\n'));
    expect(await readFile(bad, 'utf8')).toBe('select nope');
  });

  it("prints only dbt's warnings for a run that had nothing to do, and dbt ls's lines for list", () => {
    const warnings = ["The selection criterion 'tag:x' does not match any enabled nodes", 'Nothing to do. Try checking your model configs and model specification args'];
    expect(formatSummary(output([], { success: true, warnings }))).toBe(warnings.join('\n'));
    expect(formatSummary(output([], { success: true, warnings }), { nodeLines: false })).toBe('');
    expect(formatSummary(output([result('model.p.a', 'success')], { command: 'list', listing: ['p.a'] }))).toBe('p.a');
  });
});
