"""The layout of the tests themselves (STYLE 20, "tests receive helpers as fixtures"): no module
under tests/ imports from a conftest. Fixtures reach tests through pytest; factories and login
helpers live in tests/factories.py, a package's other helpers in its helpers.py, the shared
fixtures in tests/plugins/. A conftest imported as a module is a second copy of itself (pytest
loads it under its own name), and its re-exports hide where a helper really lives.

Read with `ast`, not by importing: every import counts, at module level and inside functions.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

TESTS = Path(__file__).resolve().parents[1]


def _is_conftest(module: str | None) -> bool:
    return module is not None and "conftest" in module.split(".")


def conftest_imports(source: str) -> list[tuple[int, str]]:
    """(line, the import as written) of every import of a conftest module in `source`."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom):
            names = [alias.name for alias in node.names]
            # `from tests.conftest import x`, `from ..conftest import x`, `from . import conftest`
            if _is_conftest(node.module) or "conftest" in names:
                written = "." * node.level + (node.module or "")
                found.append((node.lineno, f"from {written} import {', '.join(names)}"))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if _is_conftest(alias.name):
                    found.append((node.lineno, f"import {alias.name}"))
    return found


def test_the_check_sees_every_form_of_a_conftest_import() -> None:
    source = "\n".join(
        [
            "from tests.conftest import login",
            "from ..conftest import make_user",
            "from .conftest import respond",
            "from . import conftest",
            "import tests.plans.conftest",
            "def f():",
            "    from ..plans.conftest import world",
            "from tests.factories import login",
            "from .helpers import respond",
            "import conftest_like_name",
        ]
    )
    assert [line for line, _ in conftest_imports(source)] == [1, 2, 3, 4, 5, 7]


def test_no_test_module_imports_from_a_conftest() -> None:
    offenders = [
        f"{path.relative_to(TESTS.parent)}:{line}: {written}"
        for path in sorted(TESTS.rglob("*.py"))
        for line, written in conftest_imports(path.read_text(encoding="utf-8"))
    ]
    assert not offenders, (
        "Import helpers from tests/factories.py, the package's helpers.py or tests/plugins/, "
        "and receive fixtures as test arguments, not from a conftest:\n" + "\n".join(offenders)
    )


def _loadgroup_run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """`pytest -n 2 --dist loadgroup -v` (as `make test` runs) in `cwd`; it must pass."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-n", "2", "--dist", "loadgroup", "-v"]
        + ["-p", "no:cacheprovider", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return done


def test_tests_of_one_xdist_group_run_on_one_worker(tmp_path: Path) -> None:
    """`make test` runs `--dist loadgroup`: the browser and live-server tests share one worker
    (one Chromium, no second live site racing their timings; tests/conftest.py). pytest 9.2
    silently broke that with pytest-xdist 3.8 (pytest-dev/pytest-xdist#1386; pyproject.toml caps
    pytest): tests of one group were spread over both workers."""
    (tmp_path / "test_grouped.py").write_text(
        "import pytest\n"
        "pytestmark = pytest.mark.xdist_group('together')\n"
        "@pytest.mark.parametrize('i', range(8))\n"
        "def test_one(i):\n"
        "    pass\n",
        encoding="utf-8",
    )
    done = _loadgroup_run(tmp_path, "--rootdir", str(tmp_path), str(tmp_path))
    workers = re.findall(r"\[(gw\d+)\] \[ *\d+%\] PASSED", done.stdout)
    assert len(workers) == 8 and len(set(workers)) == 1, done.stdout[-2000:]


def test_the_browser_tests_join_the_live_group_under_xdist() -> None:
    """tests/conftest.py adds the "live" group to every browser and redis test; its hook must run
    before xdist's reads the groups (tryfirst), or the mark is added too late and ignored."""
    done = _loadgroup_run(
        TESTS.parent, "tests/e2e/test_accessibility.py::test_every_html_page_is_listed"
    )
    assert "test_every_html_page_is_listed@live" in done.stdout, done.stdout[-2000:]
