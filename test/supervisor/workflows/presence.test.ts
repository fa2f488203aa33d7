// The run's side of a scope's presence, outside a workflow (its one signal, `switched`, then
// fails and is swallowed as a failed ask would be): which nodes run unleased, which get leased
// when another run arrives, and the order of a contention and the join's own grant.
import { describe, expect, it } from 'vitest';
import type { ReleaseOutcome } from '../../../src/shared/leases.js';
import { planNode } from '../../support/stub-activities.js';
import { ScopePresence } from '../../../src/supervisor/workflows/presence.js';
import type { PresenceDeps } from '../../../src/supervisor/workflows/presence.js';

function presence(joined: Promise<boolean | null>): { p: ScopePresence; asked: string[]; released: [string, ReleaseOutcome][] } {
  const asked: string[] = [];
  const released: [string, ReleaseOutcome][] = [];
  const deps: PresenceDeps = {
    join: () => joined, workflowId: 'dbt-lease/q/presence/dev', requestId: 'inv:presence',
    askRelation: async (node) => {
      asked.push(node.unique_id);
      return { workflowId: `lease/${node.unique_id}`, id: `inv:${node.unique_id}` };
    },
    release: (_wf, id, outcome) => void released.push([id, outcome]),
  };
  return { p: new ScopePresence(deps), asked, released };
}

describe('ScopePresence', () => {
  it('runs nodes unleased while solo, and leases the running ones when another run arrives', async () => {
    const { p, asked, released } = presence(Promise.resolve(true));
    const [nodeA, nodeB] = [planNode('model', 'a'), planNode('model', 'b')];
    const a = await p.enter(nodeA);
    const b = await p.enter(nodeB);
    expect(typeof a).toBe('object');
    if (typeof a !== 'object' || typeof b !== 'object') throw new Error('not solo');
    await p.done(b, { kind: 'untouched' });
    await p.contended();
    expect(asked).toEqual([nodeA.unique_id]);
    expect(await p.enter(planNode('model', 'c'))).toBe('lease');
    await p.done(a, { kind: 'built', record: null });
    expect(released).toEqual([[`inv:${nodeA.unique_id}`, { kind: 'built', record: null }]]);
  });

  it('is not solo when told of another run before its own grant resolved', async () => {
    let grant: (solo: boolean) => void = () => undefined;
    const { p } = presence(new Promise<boolean>((r) => (grant = r)));
    const entering = p.enter(planNode('model', 'a'));
    await p.contended();
    grant(true);
    expect(await entering).toBe('lease');
  });

  it('says cancelled when the run was cancelled while joining', async () => {
    const { p } = presence(Promise.resolve(null));
    expect(await p.enter(planNode('model', 'a'))).toBe('cancelled');
  });
});
