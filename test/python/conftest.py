"""Fixtures of the Python tests (helpers in support.py)."""
from pathlib import Path

import pytest

from support import DBT_PYTHON, ROOT, Project, copy_project


@pytest.fixture(scope="session", autouse=True)
def _dbt_venv() -> None:
    if not DBT_PYTHON.exists():
        pytest.fail(f"{DBT_PYTHON} is missing: run `npm run setup` first", pytrace=False)


@pytest.fixture
def jaffle(tmp_path: Path) -> Project:
    """examples/jaffle_duck (seeds, staging views, marts) plus one model whose SQL fails."""
    project = copy_project("jaffle_duck", tmp_path, "JAFFLE_DUCKDB_PATH", ROOT / "examples" / "jaffle_duck")
    (project.dir / "models" / "broken.sql").write_text("select * from no_such_table\n")
    return project


@pytest.fixture
def hooks_duck(tmp_path: Path) -> Project:
    """test/fixtures/hooks_duck: on-run-start/on-run-end hooks that write to hook_audit."""
    return copy_project("hooks_duck", tmp_path, "HOOKS_DUCKDB_PATH")
