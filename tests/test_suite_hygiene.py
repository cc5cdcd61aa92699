"""The test suite's own house rules: fixtures come from ``conftest.py`` by name and
helpers from ``helpers`` modules, so no test module ever imports another.

A test module imported by another runs its tests' module code twice, drags its
fixtures into the importer (where they silently shadow the conftest's), and ties
two features' tests together: that is how two ``world`` fixtures drifted apart.
"""

from __future__ import annotations

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def imported_modules(source: str, package: str) -> list[tuple[int, str]]:
    """Every module ``source`` imports, anywhere in it (functions included), as
    (line, absolute dotted name); ``package`` resolves relative imports."""
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                parent = parts[: len(parts) - node.level + 1]
                base = ".".join([*parent, base] if base else parent)
            found.append((node.lineno, base))
            # ``from tests.screening import test_saving`` names a module, not a function.
            found.extend((node.lineno, f"{base}.{alias.name}") for alias in node.names)
    return found


def is_test_module(dotted: str) -> bool:
    return dotted.startswith("tests.") and dotted.rsplit(".", 1)[-1].startswith("test_")


def test_no_test_module_imports_another() -> None:
    offenders = []
    for path in sorted(TESTS.rglob("test_*.py")):
        package = ".".join(path.relative_to(TESTS.parent).parent.parts)
        for line, module in imported_modules(path.read_text(encoding="utf-8"), package):
            if is_test_module(module):
                offenders.append(f"{path.relative_to(TESTS.parent)}:{line} imports {module}")
    assert not offenders, (
        "Test modules import other test modules: move shared fixtures to a conftest.py "
        "and shared helpers to a helpers.py.\n" + "\n".join(offenders)
    )


def test_the_check_sees_absolute_package_relative_and_nested_imports() -> None:
    source = (
        "import tests.screening.test_saving\n"
        "from tests.screening import test_views\n"
        "from .test_log import something\n"
        "from ..trials.test_protocol_import import DEFINITION\n"
        "def later():\n"
        "    from tests.browser.test_tablet import overflow\n"
        "from tests.helpers import save\n"
        "from .helpers import alt\n"
        "from tests.conftest import PASSWORD\n"
    )
    seen = {m for _, m in imported_modules(source, "tests.screening") if is_test_module(m)}
    assert seen == {
        "tests.screening.test_saving",
        "tests.screening.test_views",
        "tests.screening.test_log",
        "tests.trials.test_protocol_import",
        "tests.browser.test_tablet",
    }
