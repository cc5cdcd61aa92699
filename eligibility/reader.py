"""Typed reading of plain data (parsed YAML or JSON) that records every problem with
its path instead of stopping at the first."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from eligibility.errors import Path, Problem
from eligibility.hints import did_you_mean

CODE = re.compile(r"^[a-z][a-z0-9_]*$")


class Reader:
    """Collects :class:`Problem` objects while reading values out of plain data."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, path: Path, message: str) -> None:
        self.problems.append(Problem(path, message))

    def mapping(self, value: Any, path: Path) -> Mapping[str, Any] | None:
        if not isinstance(value, Mapping):
            self.add(path, f"must be a mapping, not {_kind(value)}")
            return None
        return value

    def sequence(self, value: Any, path: Path) -> Sequence[Any] | None:
        if isinstance(value, str) or not isinstance(value, Sequence):
            self.add(path, f"must be a list, not {_kind(value)}")
            return None
        return cast(Sequence[Any], value)

    def keys(self, data: Mapping[str, Any], allowed: set[str], path: Path) -> None:
        for key in data:
            if key not in allowed:
                hint = did_you_mean(str(key), allowed) or ";"
                self.add(
                    (*path, str(key)),
                    f"unknown field {key!r}{hint} allowed: " + ", ".join(sorted(allowed)),
                )

    def text(
        self, data: Mapping[str, Any], key: str, path: Path, *, required: bool = True
    ) -> str | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add((*path, key), "is required")
            return None
        if isinstance(value, bool):
            self.add((*path, key), f"must be text, not true/false: {_quote_hint(key, value)}")
            return None
        if not isinstance(value, str | int | float | Decimal):
            self.add((*path, key), f"must be text, not {_kind(value)}")
            return None
        text = str(value).strip()
        if required and not text:
            self.add((*path, key), "must not be empty")
            return None
        return text

    def code(
        self, data: Mapping[str, Any], key: str, path: Path, *, required: bool = True
    ) -> str | None:
        text = self.text(data, key, path, required=required)
        if text is not None and not CODE.match(text):
            self.add(
                (*path, key),
                f"{text!r} is not a valid code (lower case letters, digits "
                "and underscores, starting with a letter)",
            )
            return None
        return text

    def choice(
        self,
        data: Mapping[str, Any],
        key: str,
        path: Path,
        choices: Sequence[str],
        *,
        required: bool = True,
    ) -> str | None:
        text = self.text(data, key, path, required=required)
        if text is not None and text not in choices:
            self.add(
                (*path, key),
                f"must be one of {', '.join(choices)} (got {text!r}){did_you_mean(text, choices)}",
            )
            return None
        return text

    def decimal(
        self, data: Mapping[str, Any], key: str, path: Path, *, required: bool = False
    ) -> Decimal | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add((*path, key), "is required")
            return None
        return self.number(value, (*path, key))

    def number(self, value: Any, path: Path) -> Decimal | None:
        if isinstance(value, bool) or not isinstance(value, int | float | str | Decimal):
            self.add(path, f"must be a number, not {_kind(value)}")
            return None
        try:
            # repr() of a float is its shortest round-trip text, so 0.1 reads as 0.1.
            number = Decimal(repr(value) if isinstance(value, float) else str(value).strip())
        except InvalidOperation:
            self.add(path, f"must be a number (got {value!r})")
            return None
        if not number.is_finite():
            self.add(path, f"must be a finite number (got {value!r})")
            return None
        return number

    def integer(
        self,
        data: Mapping[str, Any],
        key: str,
        path: Path,
        *,
        minimum: int = 0,
        required: bool = False,
    ) -> int | None:
        value = data.get(key)
        if value is None:
            if required:
                self.add((*path, key), "is required")
            return None
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.add((*path, key), f"must be a whole number ≥ {minimum} (got {value!r})")
            return None
        return int(value)

    def boolean(self, data: Mapping[str, Any], key: str, path: Path) -> bool | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, bool):
            self.add((*path, key), f"must be true or false (got {value!r})")
            return None
        return value

    def date(self, data: Mapping[str, Any], key: str, path: Path) -> date | None:
        """An optional date: absent is ``None``; anything but YYYY-MM-DD is a problem."""
        value = data.get(key)
        if value is None:
            return None
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                pass
        self.add((*path, key), f"must be a date written YYYY-MM-DD (got {value!r})")
        return None

    def codes(self, data: Mapping[str, Any], key: str, path: Path) -> tuple[str, ...]:
        value = data.get(key)
        if value is None:
            return ()
        items = self.sequence(value, (*path, key))
        if items is None:
            return ()
        if any(isinstance(item, bool) for item in items):
            self.add((*path, key), _quote_hint(key, *items))
            return ()
        out: list[str] = []
        for i, item in enumerate(items):
            if not isinstance(item, str) or not item.strip():
                self.add((*path, key, i), f"must be text, not {_kind(item)}")
            else:
                out.append(item.strip())
        return tuple(out)


def _quote_hint(key: str, *values: Any) -> str:
    """YAML reads an unquoted yes/no (also true/false, on/off) as true/false: the fix is to
    quote it. ``values: [yes, no]`` → ``quote yes/no values: values: ['yes', 'no']``."""
    written = [("yes" if v else "no") if isinstance(v, bool) else str(v) for v in values]
    if len(values) == 1:
        return f"quote yes/no values: {key}: {written[0]!r}"
    return f"quote yes/no values: {key}: [{', '.join(repr(w) for w in written)}]"


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list | tuple):
        return "a list"
    if isinstance(value, str):
        return f"text {value!r}"
    return f"{type(value).__name__} {value!r}"
