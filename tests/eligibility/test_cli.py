"""The command line: JSON out and exit 0; file, line or field and reason with exit 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import EXAMPLES, PROTOCOLS, ROOT


def cli(*args: str | Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "eligibility", *map(str, args)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_evaluate_prints_the_result_as_json() -> None:
    done = cli("evaluate", PROTOCOLS / "hmsc100.yaml", EXAMPLES / "hmsc100-washout.json")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "ineligible"
    assert result["eligible_from"] == "2027-03-16"
    assert result["blocking"] == ["E8b"]


def test_on_overrides_the_facts_screening_date() -> None:
    done = cli(
        "evaluate",
        PROTOCOLS / "hmsc100.yaml",
        EXAMPLES / "hmsc100-washout.json",
        "--on",
        "2027-03-16",
    )
    assert json.loads(done.stdout)["criteria"][12]["outcome"] == "met"


def test_a_bad_definition_exits_2_with_file_line_and_reason(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    text = (PROTOCOLS / "nct06495437.yaml").read_text(encoding="utf-8")
    bad.write_text(
        text.replace("rule: bmi between 20 and 30 kg/m2", "rule: bmi between 20 and 30 kg"),
        encoding="utf-8",
    )
    done = cli("evaluate", bad, EXAMPLES / "nct06495437-eligible.json")
    assert done.returncode == 2
    line = text.splitlines().index("    rule: bmi between 20 and 30 kg/m2") + 1
    column = (
        len("    rule: bmi between ") + 1
    )  # the lower bound, read in the unit that does not fit
    assert done.stderr.startswith(f"{bad}:{line}:{column}: ")
    assert "kg is not a unit of BMI" in done.stderr
    assert done.stdout == ""


def test_bad_facts_exit_2_naming_the_field(tmp_path: Path) -> None:
    facts = json.loads((EXAMPLES / "hmsc100-eligible.json").read_text(encoding="utf-8"))
    facts["labs"][2]["date"] = "10/11/2026"
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    done = cli("evaluate", PROTOCOLS / "hmsc100.yaml", path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"{path}: labs[2].date: must be a date written YYYY-MM-DD (got '10/11/2026')"
    )


def test_no_screening_date_anywhere_exits_2(tmp_path: Path) -> None:
    facts = json.loads((EXAMPLES / "hmsc100-eligible.json").read_text(encoding="utf-8"))
    del facts["screening_date"]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    done = cli("evaluate", PROTOCOLS / "hmsc100.yaml", path)
    assert done.returncode == 2
    assert "no screening date" in done.stderr


def test_explain_prints_each_criterion_in_plain_words() -> None:
    done = cli("explain", PROTOCOLS / "hmsc100.yaml")
    assert done.returncode == 0
    assert "E8b (exclusion)" in done.stdout
    assert "In words: Excluded if a dose of RANKL inhibitor was taken within 12 months" in (
        done.stdout
    )
    as_json = json.loads(cli("explain", PROTOCOLS / "hmsc100.yaml", "--json").stdout)
    assert as_json[0]["id"] == "I1"


def test_a_missing_file_exits_2() -> None:
    done = cli("explain", "no-such-file.yaml")
    assert done.returncode == 2
    assert "no-such-file.yaml: no such file" in done.stderr


def test_main_runs_in_process_too(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    from eligibility.__main__ import main

    facts = EXAMPLES / "nct06495437-eligible.json"
    assert main(["evaluate", str(PROTOCOLS / "nct06495437.yaml"), str(facts)]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "eligible"
    assert main(["explain", str(PROTOCOLS / "nct06495437.yaml")]) == 0
    assert "E14 (exclusion)" in capsys.readouterr().out
    assert main(["explain", str(PROTOCOLS / "nct06495437.yaml"), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)[-1]["id"] == "E14"
    assert main(["evaluate", str(PROTOCOLS / "nct06495437.yaml"), str(tmp_path / "x.json")]) == 2
    assert "cannot read" in capsys.readouterr().err
    assert main(["explain", str(tmp_path / "none.yaml")]) == 2
    with pytest.raises(SystemExit):
        main(["evaluate", str(PROTOCOLS / "nct06495437.yaml"), str(facts), "--on", "tomorrow"])


def test_in_process_without_a_screening_date_exits_2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    from eligibility.__main__ import main

    facts = json.loads((EXAMPLES / "hmsc100-eligible.json").read_text(encoding="utf-8"))
    del facts["screening_date"]
    path = tmp_path / "facts.json"
    path.write_text(json.dumps(facts), encoding="utf-8")
    assert main(["evaluate", str(PROTOCOLS / "hmsc100.yaml"), str(path)]) == 2
    assert capsys.readouterr().err == (
        f"{path}: no screening date: give --on YYYY-MM-DD or set screening_date in the facts file\n"
    )


def test_running_the_package_exits_with_the_status_of_main(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import runpy

    monkeypatch.setattr(sys, "argv", ["eligibility", "explain", "no-such-file.yaml"])
    monkeypatch.delitem(sys.modules, "eligibility.__main__", raising=False)  # run it afresh
    with pytest.raises(SystemExit) as caught:
        runpy.run_module("eligibility", run_name="__main__", alter_sys=True)
    assert caught.value.code == 2
    assert capsys.readouterr().err == "no-such-file.yaml: no such file\n"
