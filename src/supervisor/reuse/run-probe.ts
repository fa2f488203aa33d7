// Running a reuse plan's compiles on the executor: the candidates' compiled code, and the
// warehouse probe (probe.ts): its queries on a warm engine, else one `dbt compile --inline`.
import type { CompileTask, DbtInvocation, ExecutorResult } from '../../shared/executor-protocol.js';
import { parseProbe, probeJinja, probeQueries } from './probe.js';
import type { ProbeAnswer } from './probe.js';
import type { ProbeScope } from './probe-scope.js';

/** Runs a compile task on the executor (the activity's frame: heartbeats, DuckDB exclusivity). */
export type CompileOnExecutor = (task: CompileTask) => Promise<ExecutorResult>;

/** Compiled code by unique id from a compile's result, or why there is none. */
export function compiledCodes(result: ExecutorResult): Map<string, string> | string {
  if (result.type === 'error') return result.message;
  if (result.type !== 'compiled') return `unexpected executor result ${result.type}`;
  const doc = JSON.parse(result.runResultsJson) as { results: { unique_id: string; compiled_code?: string | null }[] };
  return new Map(doc.results.filter((r) => typeof r.compiled_code === 'string').map((r) => [r.unique_id, r.compiled_code as string]));
}

/** The warehouse's answer for `scope`, or why there is none (then nothing is reused). */
export async function runProbe(compile: CompileOnExecutor, invocation: DbtInvocation, adapter: string, scope: ProbeScope): Promise<ProbeAnswer | string> {
  const [schemas, sources] = [[...scope.schemas], [...scope.sources.values()]];
  const codes = compiledCodes(await compile({ type: 'compile', invocation, select: null, inline: probeJinja(adapter, schemas, sources), probe: probeQueries(adapter, schemas, sources) }));
  if (typeof codes === 'string') return codes;
  const text = [...codes.values()][0];
  try {
    return text === undefined ? 'the probe compiled to nothing' : parseProbe(text);
  } catch (err) {
    return `unreadable probe answer: ${(err as Error).message}`;
  }
}
