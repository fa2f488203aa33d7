// The plan asks its run's scope presence only when the run's nodes will lease relations, as the
// presence request of the run, and withdraws it only when the ask went through.
import { describe, expect, it } from 'vitest';
import type { Client } from '@temporalio/client';
import type { PlanNode } from '../../../src/shared/plan.js';
import type { ManifestDoc } from '../../../src/supervisor/artifacts/manifest.js';
import { askPresence, askPresenceOf, presenceScope } from '../../../src/supervisor/planning/plan-presence.js';
import type { PresenceAsk } from '../../../src/supervisor/planning/plan-presence.js';

const M = 'model.p.orders';
const manifest: ManifestDoc = { nodes: { [M]: { unique_id: M, resource_type: 'model', relation_name: '"db"."s"."orders"', config: { materialized: 'table' } } } };
const nodes: PlanNode[] = [{ unique_id: M, name: 'orders', resource_type: 'model', depends_on: [] }];
const base: PresenceAsk = { settings: { leases: null, reuse: { enabled: false, stateful: false } }, command: 'build', reuse: true, target: 'dev', warehouse: 'duckdb:/w.db', manifest, nodes };

/** A client that records signal-with-starts and signals (or fails them). */
function fakeClient(fails = false) {
  const started: { workflowId: string; signal: string; args: unknown[] }[] = [];
  const signalled: { workflowId: string; name: string; arg: unknown }[] = [];
  const client = {
    workflow: {
      signalWithStart: async (_type: string, o: { workflowId: string; signal: string; signalArgs: unknown[] }) => {
        if (fails) throw new Error('unreachable');
        started.push({ workflowId: o.workflowId, signal: o.signal, args: o.signalArgs });
      },
      getHandle: (workflowId: string) => ({ signal: async (name: string, arg: unknown) => void signalled.push({ workflowId, name, arg }) }),
    },
  } as unknown as Client;
  return { client, started, signalled };
}

describe('askPresence', () => {
  it('asks nothing when the nodes will lease no relation', () => {
    const { client, started } = fakeClient();
    const frame = { client, workflowId: 'run-1', taskQueue: 'q' };
    const ephemeral: ManifestDoc = { nodes: { [M]: { ...manifest.nodes?.[M], unique_id: M, resource_type: 'model', config: { materialized: 'ephemeral' } } } };
    for (const a of [{ ...base, reuse: false }, { ...base, manifest: null }, { ...base, manifest: ephemeral }, { ...base, command: 'test' }, { ...base, nodes: [] }]) {
      expect(presenceScope(a)).toBeNull();
      expect(askPresence(frame, presenceScope(a), 'inv-1')).toBeNull();
    }
    expect(started).toEqual([]);
  });

  it("asks the scope's presence lease as the run, and withdraws what it asked", async () => {
    const { client, started, signalled } = fakeClient();
    expect(presenceScope(base)).toBe('dev@duckdb:/w.db');
    const asked = askPresence({ client, workflowId: 'run-1', taskQueue: 'q' }, presenceScope(base), 'inv-1');
    expect(await asked?.asked).toBe(true);
    const workflowId = 'dbt-lease/q/presence/dev@duckdb:/w.db';
    expect(started).toEqual([{ workflowId, signal: 'dbt_lease_acquire', args: [{ id: 'inv-1:presence', holder: 'run-1', capacity: 1, label: 'run', presence: true }] }]);
    await asked?.withdraw();
    expect(signalled).toEqual([{ workflowId, name: 'dbt_lease_release', arg: { id: 'inv-1:presence', outcome: { kind: 'untouched' } } }]);
  });

  it('says so when the ask failed (the run then asks itself), and withdraws nothing', async () => {
    const { client, signalled } = fakeClient(true);
    const asked = askPresence({ client, workflowId: 'run-1', taskQueue: 'q' }, presenceScope(base), 'inv-1');
    expect(await asked?.asked).toBe(false);
    await asked?.withdraw();
    expect(signalled).toEqual([]);
  });

  it('keeps the ask made at the start when it is the scope the run needs, and withdraws it when not', async () => {
    const { client, started, signalled } = fakeClient();
    const frame = { client, workflowId: 'run-1', taskQueue: 'q' };
    const right = askPresenceOf(frame, 'dev@duckdb:/w.db', 'inv-1');
    expect(askPresence(frame, presenceScope(base), 'inv-1', right)).toBe(right);
    const wrong = askPresenceOf(frame, 'prod@duckdb:/w.db', 'inv-1');
    const asked = askPresence(frame, presenceScope(base), 'inv-1', wrong);
    expect(asked?.scope).toBe('dev@duckdb:/w.db');
    expect(askPresence(frame, null, 'inv-1', askPresenceOf(frame, 'dev@duckdb:/w.db', 'inv-1'))).toBeNull();
    await asked?.asked;
    await new Promise((r) => setTimeout(r, 0));
    expect(started.map((a) => a.workflowId)).toEqual(['dev', 'prod', 'dev', 'dev'].map((t) => `dbt-lease/q/presence/${t}@duckdb:/w.db`));
    // The wrong scope's and the unneeded one's requests are withdrawn; the kept one is not.
    expect(signalled.map((x) => [x.workflowId, x.name])).toEqual([
      ['dbt-lease/q/presence/prod@duckdb:/w.db', 'dbt_lease_release'], ['dbt-lease/q/presence/dev@duckdb:/w.db', 'dbt_lease_release']]);
  });
});
