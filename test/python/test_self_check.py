"""The warm engine's start-up self-check over its reach-ins into dbt (dbt_reach.self_check()):
silent on the pinned dbt, a RuntimeError naming the missing target otherwise."""
import json
import subprocess
from pathlib import Path

from support import DBT_PYTHON, WARM_DIR

PRELUDE = f"import json, sys\nsys.dont_write_bytecode = True\nsys.path.insert(0, {str(WARM_DIR)!r})\nimport dbt_reach\n"


def run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(DBT_PYTHON), "-c", PRELUDE + code], capture_output=True, text=True, timeout=120, check=False)


def test_self_check_passes_on_the_pinned_dbt_with_no_warning() -> None:
    r = run("print(json.dumps(dbt_reach.self_check()))")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == []


def test_self_check_raises_naming_a_reach_in_target_that_is_gone() -> None:
    r = run("from dbt.task.runnable import GraphRunnableTask\ndel GraphRunnableTask.call_runner\ndbt_reach.self_check()")
    assert r.returncode == 1
    assert "RuntimeError: dbt-temporal warm engine: dbt-core 1.11." in r.stderr
    assert "lacks GraphRunnableTask.call_runner" in r.stderr


def test_self_check_names_the_behavior_flag_source_when_it_is_gone() -> None:
    r = run("from dbt_common.behavior_flags import BehaviorFlagRendered\ndel BehaviorFlagRendered._default_source\ndbt_reach.self_check()")
    assert r.returncode == 1
    assert "lacks dbt_common.behavior_flags.BehaviorFlagRendered._default_source" in r.stderr


def test_fast_flag_source_names_the_same_module_as_dbts_own(tmp_path: Path) -> None:
    (tmp_path / "flag_maker.py").write_text(
        "from dbt_common.behavior_flags import Behavior\n"
        "def source():\n"
        "    flags = [{'name': 'f', 'default': False, 'docs_url': 'u'}]\n"
        "    return Behavior(flags, {}).f._behavior_change_event.flag_source\n"
    )
    code = (
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import flag_maker\n"
        "before = flag_maker.source()\n"
        "dbt_reach.install_fast_flag_source()\n"
        "print(json.dumps([before, flag_maker.source()]))\n"
    )
    r = run(code)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout.strip().splitlines()[-1]) == ["flag_maker", "flag_maker"]


def test_plugin_module_cache_gives_dbts_answer_from_one_scan(tmp_path: Path) -> None:
    (tmp_path / "dbt_fake_plugin.py").write_text("plugins = []\n")
    code = (
        f"sys.path.insert(0, {str(tmp_path)!r})\n"
        "import pkgutil\n"
        "from dbt.plugins.manager import PluginManager\n"
        "scans = []\n"
        "real = pkgutil.iter_modules\n"
        "pkgutil.iter_modules = lambda *a: scans.append(1) or real(*a)\n"
        "own = PluginManager.get_prefixed_modules()\n"
        "dbt_reach.install_plugin_module_cache()\n"
        "first, second = PluginManager.get_prefixed_modules(), PluginManager.get_prefixed_modules()\n"
        "first['x'] = None\n"
        "third = PluginManager.from_modules('p')\n"
        "print(json.dumps([sorted(own), sorted(second), first is second, len(scans), third.hooks == {}]))\n"
    )
    r = run(code)
    assert r.returncode == 0, r.stderr
    own, cached, same, scans, plain = json.loads(r.stdout.strip().splitlines()[-1])
    assert "dbt_fake_plugin" in own and cached == own  # the same modules, and a caller's edit stays its own
    assert same is False
    assert scans == 2  # dbt's own call, then one scan for every later invocation
    assert plain is True


def test_self_check_names_the_plugin_scan_when_it_is_gone() -> None:
    r = run("from dbt.plugins.manager import PluginManager\ndel PluginManager.get_prefixed_modules\ndbt_reach.self_check()")
    assert r.returncode == 1
    assert "lacks dbt.plugins.manager.PluginManager.get_prefixed_modules" in r.stderr


def test_self_check_names_the_state_a_parked_context_restores_when_it_is_gone() -> None:
    r = run("from dbt.cli.flags import Flags\ndel Flags.set_common_global_flags\ndbt_reach.self_check()")
    assert r.returncode == 1
    assert "lacks dbt.cli.flags.Flags.set_common_global_flags" in r.stderr
    r = run("from dbt.adapters.factory import FACTORY\nFACTORY.adapters = None\ndbt_reach.self_check()")
    assert r.returncode == 1
    assert "lacks dbt.adapters.factory.FACTORY.adapters / lock" in r.stderr


def test_self_check_names_the_probe_config_builder_when_it_is_gone() -> None:
    r = run("from dbt.config.runtime import RuntimeConfig\ndel RuntimeConfig.from_parts\ndbt_reach.self_check()")
    assert r.returncode == 1
    assert "lacks dbt.config.runtime.RuntimeConfig.from_parts" in r.stderr
