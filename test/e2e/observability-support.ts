// Helpers for the run-control and observability tests: polling a run's status, reading its
// memos and search attributes, validating artifacts with dbt's JSON schemas, finding dbt processes.
import { readdir, readFile } from 'node:fs/promises';
import { execa } from 'execa';
import type { WorkflowHandle } from '@temporalio/client';
import { RUN_STATUS_QUERY } from '../../src/shared/run-status.js';
import type { RunStatus } from '../../src/shared/run-status.js';
import { REPO_ROOT } from '../support/paths.js';

export const SLOW_PROJECT = `${REPO_ROOT}test/fixtures/slow_duck`;
const SCHEMAS = `${REPO_ROOT}test/fixtures/schemas`;

/** Polls run_status until `predicate` holds (the run is expected to get there; no timing asserted). */
export async function waitForStatus(handle: WorkflowHandle, predicate: (s: RunStatus) => boolean, what: string, limitMs = 240_000): Promise<RunStatus> {
  const deadline = Date.now() + limitMs;
  let last: RunStatus | null = null;
  for (;;) {
    try {
      last = await handle.query<RunStatus>(RUN_STATUS_QUERY);
      if (predicate(last)) return last;
    } catch {
      // not queryable yet
    }
    if (Date.now() > deadline) throw new Error(`run never reached: ${what}; last status ${JSON.stringify(last)}`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

/** Validates a JSON document against one of dbt's schemas (jsonschema from the venv, Draft 2020-12). */
export async function validateAgainstDbtSchema(documentPath: string, schemaFile: string): Promise<string[]> {
  const script = [
    'import json,sys,jsonschema',
    'schema=json.load(open(sys.argv[1])); doc=json.load(open(sys.argv[2]))',
    'v=jsonschema.Draft202012Validator(schema)',
    'print(json.dumps([f"{list(e.absolute_path)}: {e.message[:300]}" for e in v.iter_errors(doc)][:20]))',
  ].join('\n');
  const r = await execa(`${REPO_ROOT}.venv/bin/python`, ['-c', script, `${SCHEMAS}/${schemaFile}`, documentPath]);
  return JSON.parse(String(r.stdout)) as string[];
}

/** Pids of live processes whose command line mentions `needle` (e.g. a project directory). */
export async function processesMentioning(needle: string): Promise<number[]> {
  const out: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = (await readFile(`/proc/${entry}/cmdline`, 'utf8')).replace(/\0/g, ' ');
      const state = (await readFile(`/proc/${entry}/stat`, 'utf8')).split(') ')[1]?.[0];
      if (cmd.includes(needle) && state !== 'Z') out.push(Number(entry));
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

/** Decoded memo and search attributes of a workflow execution. */
export async function describeRun(handle: WorkflowHandle) {
  const d = await handle.describe();
  const sa: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(d.searchAttributes ?? {})) sa[k] = Array.isArray(v) ? v[0] : v;
  return { status: d.status.name, memo: (d.memo ?? {}) as Record<string, unknown>, sa, runId: d.runId };
}

/** PASS/WARN/ERROR/SKIP/TOTAL from the `Done.` line of a run log. */
export function doneCounts(log: string): Record<string, number> {
  const m = /Done\. PASS=(\d+) WARN=(\d+) ERROR=(\d+) SKIP=(\d+) NO-OP=\d+ TOTAL=(\d+)/.exec(log);
  if (!m) throw new Error(`no Done. line in log:\n${log.slice(-2000)}`);
  return { pass: Number(m[1]), warn: Number(m[2]), error: Number(m[3]), skip: Number(m[4]), total: Number(m[5]) };
}
