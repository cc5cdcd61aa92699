"""Code outside the engine uses only its public API: the names in ``eligibility.__all__``.

The engine's modules may then be split, merged or renamed without touching an app. Two
places are exempt: the engine itself, and its own tests (``tests/eligibility``), which
check the modules behind the front door one by one. The benchmarks are not exempt: they
measure what the apps call.

Mentions of an internal module as text (``mock.patch("eligibility.units.convert")``,
``import_module("eligibility.parser")``) reach behind the front door too and count.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import eligibility

from .helpers import ROOT

EXEMPT = (ROOT / "eligibility", ROOT / "tests" / "eligibility")
NOT_CODE = {".venv", ".git", "node_modules", "static", "staticfiles", "artifacts"}
INTERNAL_TEXT = re.compile(r"^eligibility\.[A-Za-z_]")


def _python_files() -> Iterator[Path]:
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in NOT_CODE or any(path.is_relative_to(e) for e in EXEMPT):
            continue
        yield path


def _backdoors(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """Every import of an engine module other than the package, and every public-API
    import of a name the package does not export."""
    public = set(eligibility.__all__)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("eligibility."):
                    yield node.lineno, f"import {alias.name}"
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.startswith("eligibility."):
                yield node.lineno, f"from {node.module} import …"
            elif node.module == "eligibility":
                for alias in node.names:
                    if alias.name not in public:
                        yield node.lineno, f"from eligibility import {alias.name} (not public)"
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and INTERNAL_TEXT.match(node.value)
        ):
            yield node.lineno, repr(node.value)


def test_nothing_outside_the_engine_imports_an_engine_module() -> None:
    offenders = [
        f"{path.relative_to(ROOT)}:{line}: {what}"
        for path in _python_files()
        for line, what in _backdoors(ast.parse(path.read_text(encoding="utf-8"), str(path)))
    ]
    assert offenders == []


def test_the_check_sees_every_kind_of_back_door() -> None:
    code = (
        "import eligibility\n"
        "import eligibility.units\n"
        "from eligibility.facts import Facts\n"
        "from eligibility import evaluate, units\n"
        "from . import eligibility_helpers\n"
        "patch('eligibility.units.convert')\n"
    )
    found = [line for line, _ in _backdoors(ast.parse(code))]
    assert found == [2, 3, 4, 6]


def test_every_public_name_is_exported_once() -> None:
    assert len(eligibility.__all__) == len(set(eligibility.__all__))
    assert all(hasattr(eligibility, name) for name in eligibility.__all__)


def test_the_front_door_loads_only_the_standard_library_and_pyyaml() -> None:
    # The apps import it at start-up, so it must stay light (Django least of all, see
    # test_purity); a fresh interpreter shows what importing it really loads.
    code = (
        "import sys; before = set(sys.modules); import eligibility; "
        "print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    loaded = set(done.stdout.split()) - sys.stdlib_module_names
    # PyYAML's fast loader is a Cython extension, which brings Cython's runtime modules.
    pyyaml = {m for m in loaded if m in ("yaml", "_yaml") or "cython" in m}
    assert loaded - pyyaml == {"eligibility"}
