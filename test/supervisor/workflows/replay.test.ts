// Workflow code changes must not break runs already in flight: histories recorded by earlier
// workers replay on today's bundle without a determinism error (Temporal's patch markers keep
// their old paths).
import { readFileSync } from 'node:fs';
import { temporal } from '@temporalio/proto';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { RELEASE_AFTER_END_HOOKS_PATCH } from '../../../src/supervisor/workflows/dbt-run.js';
import { SINGLE_WAKE_PATCH } from '../../../src/supervisor/workflows/execute.js';
import { REPO_ROOT } from '../../support/paths.js';

const { History } = temporal.api.history.v1;
const BUNDLE = { codePath: `${REPO_ROOT}dist/workflow-bundle.js` };
/** A recorded history (History protobuf, as `fetchHistory()` returned it when recorded). */
const fixture = (name: string) => History.decode(readFileSync(`${REPO_ROOT}test/fixtures/histories/${name}`));

async function replay(history: temporal.api.history.v1.IHistory, workflowId: string): Promise<void> {
  await Worker.runReplayHistory({ workflowBundle: BUNDLE }, history, workflowId);
}

describe('workflow replay', () => {
  it('replays a jaffle_duck build recorded before the single-wake patch (nodes raced in flight)', async () => {
    const history = fixture('dbt-run-race-loop.binpb');
    const patches = (history.events ?? []).flatMap((e) => Object.keys(e.markerRecordedEventAttributes?.details ?? {}).length ? [JSON.stringify(e.markerRecordedEventAttributes?.details)] : []);
    expect(patches.join()).not.toContain(Buffer.from(JSON.stringify(SINGLE_WAKE_PATCH)).toString('base64'));
    expect((history.events ?? []).filter((e) => e.activityTaskCompletedEventAttributes).length).toBeGreaterThan(20);
    await expect(replay(history, 'history-fixture-race-loop')).resolves.toBeUndefined();
  });

  it('replays a hooks_duck build recorded before the release-after-end-hooks patch (engines released before on-run-end)', async () => {
    const history = fixture('dbt-run-hooks-release-first.binpb');
    const events = history.events ?? [];
    const markers = events.flatMap((e) => Object.values(e.markerRecordedEventAttributes?.details ?? {}).map((p) => Buffer.from(p.payloads?.[0]?.data ?? []).toString()));
    expect(markers.join()).not.toContain(RELEASE_AFTER_END_HOOKS_PATCH);
    const scheduled = events.flatMap((e) => (e.activityTaskScheduledEventAttributes?.activityType?.name ? [e.activityTaskScheduledEventAttributes.activityType.name] : []));
    expect(scheduled.filter((name) => name === 'run_project_hooks')).toHaveLength(2);
    await expect(replay(history, 'history-fixture-hooks-release-first')).resolves.toBeUndefined();
  });

  it('fails on a history whose recorded commands differ from the code (the check can fail)', async () => {
    const history = fixture('dbt-run-race-loop.binpb');
    const scheduled = (history.events ?? []).find((e) => e.activityTaskScheduledEventAttributes?.activityType?.name === 'execute_node');
    if (!scheduled?.activityTaskScheduledEventAttributes?.activityType) throw new Error('fixture has no execute_node');
    scheduled.activityTaskScheduledEventAttributes.activityType.name = 'some_other_activity';
    await expect(replay(history, 'history-fixture-race-loop')).rejects.toThrow(/[Nn]ondetermin/);
  });
});
