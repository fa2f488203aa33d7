// The warm engine's start-up self-check over its reach-ins into dbt internals: silent on the
// pinned versions, and a loud error naming the dbt version and the missing target otherwise.
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../../support/paths.js';

const PY = `${REPO_ROOT}.venv/bin/python`;
const prelude = `import sys, json; sys.dont_write_bytecode = True; sys.path.insert(0, "${REPO_ROOT}src/executor/warm"); import dbt_reach\n`;

async function python(code: string) {
  return execa(PY, ['-c', prelude + code], { reject: false });
}

describe('dbt_reach self-check', () => {
  it('passes on the pinned dbt versions, with no version warning', async () => {
    const r = await python('print(json.dumps(dbt_reach.self_check()))');
    expect(r.exitCode, String(r.stderr)).toBe(0);
    expect(JSON.parse(String(r.stdout).trim())).toEqual([]);
  });

  it('fails loudly, naming the dbt version and the target, when a reach-in target is gone', async () => {
    const r = await python('import dbt.cli.requires as q\ndel q.initialize_from_flags\ndbt_reach.self_check()');
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toMatch(/RuntimeError: dbt-temporal warm engine: dbt-core 1\.11\.\d+ lacks dbt\.cli\.requires\.initialize_from_flags \(the engine was checked against dbt-core 1\.11\.16\)/);
  });

  it('fails loudly when dbt no longer keeps the run selection that project hooks in a run context rely on', async () => {
    const r = await python('import dbt.selected_resources as s\ndel s.set_selected_resources\ndbt_reach.self_check()');
    expect(r.exitCode).not.toBe(0);
    expect(String(r.stderr)).toMatch(/lacks dbt\.selected_resources\.SELECTED_RESOURCES \/ set_selected_resources/);
  });

  it('drops only the debug and info events nobody hears, unbuilt: warnings, --warn-error and loggers see everything', async () => {
    const r = await python(`
from dbt_common.events import event_manager_client as client
from dbt_common.events.functions import fire_event
from dbt_common.events.logger import LoggerConfig
from dbt_common.events.base_types import EventLevel
from dbt_common.exceptions.events import EventCompilationError
from dbt.events.types import NodeStart, LogModelResult
from dbt.tracking import track_behavior_change_warn
import dbt_common.events.base_types as bt
built = []
real = bt.msg_from_base_event
import dbt_common.events.event_manager as em
em.msg_from_base_event = lambda e, level=None: (built.append(type(e).__name__), real(e, level=level))[1]
dbt_reach.install_lean_events()
# dbt's own logger set-up of a run context (--log-level none, no file log).
import argparse, tempfile
from dbt.events.logging import setup_event_logger
setup_event_logger(argparse.Namespace(LOG_PATH=tempfile.mkdtemp(), LOG_LEVEL="none", LOG_LEVEL_FILE="none"))
m = client.get_event_manager()
dropped = NodeStart(node_info={"node_name": "dropped"})
fire_event(dropped)
deferred = "pb_msg" not in dropped.__dict__
heard = []
m.callbacks.append(lambda msg: heard.append(msg.info.name))
fire_event(NodeStart(node_info={}))
m.callbacks = [track_behavior_change_warn]
m.warn_error = True
m.require_warn_or_error_handling = True
from dbt_common.events.types import Note
try:
    fire_event(Note(msg="w"), level=EventLevel.WARN)
    raised = False
except EventCompilationError:
    raised = True
m.warn_error = False
import io
out = io.StringIO()
client.add_logger_to_manager(LoggerConfig(name="t", level=EventLevel.DEBUG, output_stream=out))
fire_event(NodeStart(node_info={}))
fire_event(Note(msg="heard-in-full"))
dbt_reach.install_plain_empty_tables()
from dbt_common.clients.agate_helper import empty_table
import agate
table = empty_table()
plain = isinstance(table, agate.Table) and len(table.rows) == 0 and len(table.column_names) == 0
print(json.dumps({"built": built, "heard": heard, "raised": raised, "logged": "heard-in-full" in out.getvalue(),
                  "deferred": deferred, "field": dropped.node_info.node_name, "plain": plain}))
`);
    expect(r.exitCode, String(r.stderr)).toBe(0);
    const got = JSON.parse(String(r.stdout).trim().split('\n').pop() as string) as {
      built: string[]; heard: string[]; raised: boolean; logged: boolean; deferred: boolean; field: string; plain: boolean;
    };
    // The first NodeStart (no logger, dbt's own callback only) built no message, not even its
    // protobuf; read later, its fields are there.
    expect(got.built).toEqual(['NodeStart', 'Note', 'NodeStart', 'Note']);
    expect(got.deferred).toBe(true);
    expect(got.field).toBe('dropped');
    expect(got.plain).toBe(true);
    expect(got.heard).toEqual(['NodeStart']);
    expect(got.raised).toBe(true);
    expect(got.logged).toBe(true);
  });
});
