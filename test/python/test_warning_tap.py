"""The warm engine's warning tap (dbt_reach_warnings.py, through dbt_reach): dbt's warn-level events, in dbt's text, each
once, for the thread that collects them only; dbt's own handling (--warn-error) unchanged."""
import json
import subprocess

from support import DBT_PYTHON, WARM_DIR

PRELUDE = f"""import json, sys, threading
sys.dont_write_bytecode = True
sys.path.insert(0, {str(WARM_DIR)!r})
import dbt_reach
from dbt.events.types import NoNodesForSelectionCriteria, NothingToDo
from dbt_common.events.functions import fire_event, warn_or_error
from dbt_common.events.base_types import EventLevel
dbt_reach.install_warning_tap()
"""


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DBT_PYTHON), "-c", PRELUDE + code], capture_output=True, text=True, timeout=120, check=False)


def test_collects_this_threads_warnings_once_each_in_dbts_text() -> None:
    r = run("""
other = []
def elsewhere():
    fire_event(NothingToDo())
with dbt_reach.collect_warnings() as got:
    fire_event(NoNodesForSelectionCriteria(spec_raw="tag:x"))
    fire_event(NoNodesForSelectionCriteria(spec_raw="tag:x"))
    fire_event(NothingToDo(), level=EventLevel.INFO)  # not a warning here
    t = threading.Thread(target=elsewhere); t.start(); t.join()
fire_event(NothingToDo())  # after the block: nobody collects
print(json.dumps(got))
""")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == ["The selection criterion 'tag:x' does not match any enabled nodes"]


def test_a_warning_made_an_error_is_collected_and_still_raised() -> None:
    r = run("""
from dbt.flags import set_from_args
from argparse import Namespace
set_from_args(Namespace(WARN_ERROR=True), {})
with dbt_reach.collect_warnings() as got:
    try:
        warn_or_error(NothingToDo())
        print("not raised")
    except Exception as err:
        print(type(err).__name__)
print(json.dumps(got))
""")
    assert r.returncode == 0, r.stderr
    lines = r.stdout.strip().splitlines()
    assert lines[-2] == "EventCompilationError"
    assert json.loads(lines[-1]) == ["Nothing to do. Try checking your model configs and model specification args"]
