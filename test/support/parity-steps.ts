// Runs the same sequence of workflow inputs through dbt-temporal and through plain dbt, each on
// its own warehouse, and asserts equal node statuses, outcome and warehouse contents after each step.
import { expect } from 'vitest';
import type { DbtRunInput } from '../../src/shared/contracts.js';
import type { RunResult, TestClient } from './client.js';
import { nodeStatuses, runOracle, sorted } from './parity-oracle.js';
import type { OracleResult } from './parity-oracle.js';

/** One side's warehouse: the env that points the fixture profile at it, and a dump of it. */
export interface ParitySide {
  env: Record<string, string>;
  dump(): Promise<Record<string, unknown[][]>>;
}

export interface ParityProject {
  name: string;
  dir: string;
}

export interface StepOutcome {
  ours: RunResult;
  oracle: OracleResult;
}

function describeStep(project: string, i: number, step: DbtRunInput): string {
  return `${project} step ${i + 1} ${JSON.stringify(step)}`;
}

/** Each step runs on both sides at once; the next step starts when both are compared. */
export async function runParitySteps(client: TestClient, taskQueue: string, project: ParityProject, steps: DbtRunInput[],
  ours: ParitySide, oracle: ParitySide): Promise<StepOutcome[]> {
  const outcomes: StepOutcome[] = [];
  for (const [i, step] of steps.entries()) {
    const label = describeStep(project.name, i, step);
    const started = Date.now();
    const [o, p] = await Promise.all([
      client.run(taskQueue, { ...step, project: project.name, env: { ...ours.env, ...(step.env ?? {}) } }),
      runOracle(project.dir, step, oracle.env),
    ]);
    expect(o.output, `${label}: no output from dbt-temporal (${o.errorType ?? ''}: ${o.message ?? ''})`).not.toBeNull();
    const ourStatuses = nodeStatuses(o.output);
    console.log(`${label}: ${ourStatuses.size} nodes, ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const differing = (o.output?.node_results ?? []).filter((r) => !r.unique_id.startsWith('operation.') && p.statuses.get(r.unique_id) !== r.status)
      .map((r) => `${r.unique_id}: ${r.status} (dbt: ${p.statuses.get(r.unique_id) ?? 'absent'}): ${r.message ?? ''}`);
    expect(sorted(ourStatuses), `${label}: node statuses\n${differing.join('\n')}`).toEqual(sorted(p.statuses));
    expect(o.ok, `${label}: workflow ok vs dbt exit code ${p.exitCode} (${o.message ?? ''})`).toBe(p.exitCode === 0);
    const [a, b] = await Promise.all([ours.dump(), oracle.dump()]);
    expect(a, `${label}: warehouse contents`).toEqual(b);
    outcomes.push({ ours: o, oracle: p });
  }
  return outcomes;
}
