// The dbt_lease workflow on the suite's dev server (the real workflow bundle): it grants through
// signals to the holder's workflow, and continues as new with its holders and queue when its
// history grows, without losing or repeating a grant (the order rules: test/shared/leases.test.ts).
import { randomUUID } from 'node:crypto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { LEASE_SIGNALS, LEASE_WORKFLOW_TYPE } from '../../../src/shared/leases.js';
import type { LeaseRequest, LeaseWorkflowInput, ReleaseMessage } from '../../../src/shared/leases.js';
import { REPO_ROOT } from '../../support/paths.js';
import { useSuiteTemporal } from '../../support/suite-temporal.js';

const temporal = useSuiteTemporal();

/** The grants a workflow received (signals named dbt_lease_granted), in order. */
async function grantsTo(workflowId: string): Promise<string[]> {
  const history = await temporal.client().workflow.getHandle(workflowId).fetchHistory();
  const payloads = (history.events ?? []).filter((e) => e.workflowExecutionSignaledEventAttributes?.signalName === LEASE_SIGNALS.granted)
    .map((e) => e.workflowExecutionSignaledEventAttributes?.input?.payloads?.[0]?.data);
  return payloads.map((d) => (JSON.parse(Buffer.from(d as Uint8Array).toString()) as { id: string }).id);
}

async function waitForGrants(workflowId: string, n: number): Promise<string[]> {
  for (let t = 0; t < 100; t++) {
    const got = await grantsTo(workflowId);
    if (got.length >= n) return got;
    await new Promise((r) => setTimeout(r, 100));
  }
  return grantsTo(workflowId);
}

describe('dbt_lease', () => {
  it('grants every request once, and keeps its holders and queue across continue-as-new', async () => {
    const taskQueue = `lease-${randomUUID()}`;
    const worker = await Worker.create({
      connection: temporal.nativeConnection(), taskQueue, workflowBundle: { codePath: `${REPO_ROOT}dist/workflow-bundle.js` },
      dataConverter: { payloadConverterPath: `${REPO_ROOT}dist/src/supervisor/payload-converter.js` },
    });
    await worker.runUntil(async () => {
      // Any open workflow can hold: here an idle lease of its own.
      const holder = `holder-${randomUUID()}`;
      await temporal.client().workflow.start(LEASE_WORKFLOW_TYPE, { taskQueue, workflowId: holder, args: [{ key: 'holder' } satisfies LeaseWorkflowInput] });
      const leaseId = `lease-${randomUUID()}`;
      const input: LeaseWorkflowInput = { key: 'k', max_history_events: 60 };
      const acquire = (id: string) => temporal.client().workflow.signalWithStart(LEASE_WORKFLOW_TYPE, {
        taskQueue, workflowId: leaseId, args: [input], signal: LEASE_SIGNALS.acquire, signalArgs: [{ id, holder, capacity: 1, label: id } satisfies LeaseRequest],
      });
      const release = (id: string) => temporal.client().workflow.getHandle(leaseId).signal(LEASE_SIGNALS.release, { id, outcome: { kind: 'untouched' } } satisfies ReleaseMessage);
      const first = await acquire('r0');
      for (let i = 1; i < 12; i++) {
        await acquire(`r${i}`);
        await release(`r${i - 1}`);
      }
      // r11 still holds when the lease continues as new; x1 then waits behind it until it goes.
      await waitForGrants(holder, 12);
      const runIdNow = async () => (await temporal.client().workflow.getHandle(leaseId).describe()).runId;
      for (let t = 0; t < 100 && (await runIdNow()) === first.signaledRunId; t++) await new Promise((r) => setTimeout(r, 100));
      expect(await runIdNow()).not.toBe(first.signaledRunId);
      await acquire('x1');
      await new Promise((r) => setTimeout(r, 500));
      expect(await grantsTo(holder)).not.toContain('x1');
      await release('r11');
      await release('x1');
      // Each request granted exactly once (grants sent in one batch may arrive in any order).
      const expected = [...Array.from({ length: 12 }, (_, i) => `r${i}`), 'x1'];
      expect((await waitForGrants(holder, expected.length)).sort()).toEqual(expected.sort());
    });
  });
});
