"""Command line: ``python -m eligibility evaluate DEFINITION FACTS [--on DATE]`` and
``python -m eligibility explain DEFINITION``.

Exit status 0 on success; 2 with a message naming the file, line or field and the reason
when a definition or facts file is invalid or no screening date is given.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from pathlib import Path

from eligibility import (
    DefinitionError,
    FactsError,
    ProtocolDefinition,
    evaluate,
    explain,
    load_definition,
    load_facts,
)


class _Usage(Exception):
    pass


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date written YYYY-MM-DD") from None


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m eligibility", description="Eligo eligibility engine"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("evaluate", help="evaluate a definition against a facts file")
    ev.add_argument("definition", type=Path)
    ev.add_argument("facts", type=Path)
    ev.add_argument(
        "--on", type=_date, help="screening date (default: the facts file's screening_date)"
    )
    ex = sub.add_parser("explain", help="print every criterion and its rule in plain words")
    ex.add_argument("definition", type=Path)
    ex.add_argument("--json", action="store_true", help="print JSON instead of text")
    return parser


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise _Usage(f"{path}: cannot read: {exc.strerror}") from None
    except UnicodeDecodeError as exc:
        raise _Usage(f"{path}: not UTF-8 text (byte {exc.start})") from None


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if not args.definition.exists():
            raise _Usage(f"{args.definition}: no such file")
        definition = load_definition(_read(args.definition), source=str(args.definition))
        if args.command == "explain":
            return _explain(definition, args.json)
        facts = load_facts(
            _read(args.facts), source=str(args.facts), catalogue=definition.catalogue
        )
        on = args.on or facts.screening_date
        if on is None:
            raise _Usage(
                f"{args.facts}: no screening date: give --on YYYY-MM-DD or set "
                "screening_date in the facts file"
            )
        try:
            result = evaluate(definition, facts, on)
        except (ValueError, ArithmeticError) as exc:  # a date arithmetic cannot reach
            raise _Usage(f"{args.facts}: cannot evaluate on {on}: {exc}") from None
    except (DefinitionError, FactsError, _Usage) as exc:
        print(str(exc), file=sys.stderr)
        return 2
    print(json.dumps(result.to_dict(), indent=2, ensure_ascii=False))
    return 0


def _explain(definition: ProtocolDefinition, as_json: bool) -> int:
    items = explain(definition)
    if as_json:
        print(json.dumps([i.to_dict() for i in items], indent=2, ensure_ascii=False))
        return 0
    print(f"{definition.trial_code} — protocol version {definition.version}\n")
    for item in items:
        print(f"{item.id} ({item.kind})")
        print(f"  Protocol text: {' '.join(item.text.split())}")
        print(f"  Rule: {' '.join(item.rule.split())}")
        print(f"  In words: {item.plain}")
        if item.note:
            print(f"  Note: {' '.join(item.note.split())}")
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
