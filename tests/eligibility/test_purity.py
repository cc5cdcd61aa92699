"""The engine is pure: no Django, no clock, no eval."""

from __future__ import annotations

import re
import subprocess
import sys

from .helpers import ROOT

ENGINE = ROOT / "eligibility"


def test_importing_the_engine_imports_no_django() -> None:
    code = (
        "import eligibility, eligibility.__main__, sys; "
        "assert not any(m == 'django' or m.startswith('django.') for m in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr


def test_no_module_reads_the_clock_or_evaluates_code() -> None:
    forbidden = re.compile(
        r"date\.today\(|datetime\.now\(|datetime\.utcnow\(|time\.time\(|"
        r"\beval\(|\bexec\(|import django|from django"
    )
    offenders = [
        f"{path.name}:{n}"
        for path in ENGINE.rglob("*.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if forbidden.search(line) and not line.lstrip().startswith("#")
    ]
    assert offenders == []
