import { describe, expect, it } from 'vitest';
import type { RunStatus } from '../../../src/shared/run-status.js';
import { TtyDisplay, displayMode } from '../../../src/supervisor/cli/display.js';
import { clock, statusArea } from '../../../src/supervisor/cli/status-area.js';

const status = (over: Partial<RunStatus>): RunStatus => ({
  phase: 'executing', invocation_id: 'i', segment: 0, total_nodes: 10, total_levels: 3, completed_levels: 1, succeeded: 3, warned: 1,
  failed: 1, skipped: 1, cancelled: 0, running: 2, paused: 0, pending: 2, running_nodes: ['model:a', 'test:b'], paused_nodes: [], fail_fast: false, stop_requested: false, ...over,
});

describe('status area', () => {
  it('shows the bar with done/total, per-status counts, elapsed, ETA and the running nodes', () => {
    const [bar, running] = statusArea(status({}), 12_000, 200);
    expect(bar).toBe(`[${'#'.repeat(17)}${'-'.repeat(11)}] 6/10  PASS=3 WARN=1 ERROR=1 SKIP=1  0:12 elapsed, ETA 0:08`);
    expect(running).toBe('running (2): model:a, test:b');
    expect(statusArea(status({ running: 3, paused: 1, running_nodes: ['model:a', 'test:b'], paused_nodes: ['model:c'] }), 0, 200)[1]).toBe('running (2): model:a, test:b; paused (1): model:c');
    expect(statusArea(status({ total_nodes: 0, phase: 'planning' }), 3000, 200)).toEqual(['planning... 0:03']);
    expect(clock(3_725_000)).toBe('1:02:05');
  });

  it('never wraps: each line is cut to the terminal width', () => {
    for (const line of statusArea(status({}), 1000, 40)) expect(line.length).toBeLessThanOrEqual(39);
  });
});

describe('terminal display', () => {
  it('prints new lines above the area and redraws the area in place', () => {
    let out = '';
    const d = new TtyDisplay({ write: (t) => (out += t), columns: () => 80 });
    d.status(status({}));
    out = '';
    d.lines(['1 of 10 OK model a']);
    // Up two lines (the area), clear to the end of the screen, the new line, then the area again.
    expect(out.startsWith('\x1b[2F\x1b[J1 of 10 OK model a\n[')).toBe(true);
    expect(out.split('\n')).toHaveLength(4);
    out = '';
    d.close();
    expect(out).toBe('\x1b[2F\x1b[J');
  });

  it('is plain off a terminal or under CI, and silent with --quiet', () => {
    expect(displayMode({ quiet: false, isTty: true, ci: false })).toBe('tty');
    expect(displayMode({ quiet: false, isTty: false, ci: false })).toBe('plain');
    expect(displayMode({ quiet: false, isTty: true, ci: true })).toBe('plain');
    expect(displayMode({ quiet: true, isTty: true, ci: false })).toBe('quiet');
  });
});
