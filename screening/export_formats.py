"""Tables that leave Eligo as files: one declaration of columns, rendered as CSV or XLSX.

An exporter (the screening log, the SDTM datasets) says what its columns are and
gives typed rows (``str``, ``int``, ``date``, aware ``datetime``, ``None``); this
module alone decides how a value is written:

* CSV is UTF-8 with a byte-order mark, so that Excel on Windows reads accents and
  symbols right, and every cell that a spreadsheet would run as a formula (one
  starting with ``= + - @``, a tab or a carriage return) is neutralised with a
  leading quote (``audit.csv_export.safe_cell``, as OWASP recommends).
* XLSX is written row by row (XlsxWriter's ``constant_memory`` mode, so a large log
  never sits in memory whole) with typed cells — numbers as numbers, dates as
  dates, times in UTC — a frozen header row and an autofilter. Text is always
  written as text, never as a formula or a link, whatever it starts with.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import IO, Any

import xlsxwriter

from audit.canonical import format_timestamp
from audit.csv_export import safe_cell

BOM = "\ufeff"

TEXT, INTEGER, DATE, DATETIME = "text", "integer", "date", "datetime"
# Column widths in XLSX, in characters: wide enough for the values, not for every header.
_WIDTHS = {TEXT: 18, INTEGER: 10, DATE: 12, DATETIME: 20}


@dataclass(frozen=True)
class Column:
    """One column of an export: its header and the type of its values."""

    name: str
    kind: str = TEXT
    width: int | None = None


@dataclass(frozen=True)
class Table:
    """Rows ready to leave: ``rows`` holds typed values in the order of ``columns``."""

    columns: tuple[Column, ...]
    rows: Iterable[Sequence[Any]]

    @property
    def header(self) -> list[str]:
        return [column.name for column in self.columns]


def csv_value(value: Any) -> str:
    """One value as a CSV cell: dates in ISO 8601, times in UTC, formulas neutralised."""
    if isinstance(value, datetime):
        return format_timestamp(value)
    if isinstance(value, date):
        return value.isoformat()
    return safe_cell(value)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(table: Table) -> Iterator[str]:
    """The table as CSV, one line at a time, the byte-order mark first."""
    writer = csv.writer(_Echo())
    yield BOM + writer.writerow(table.header)
    for row in table.rows:
        yield writer.writerow([csv_value(value) for value in row])


def write_csv(
    table: Table, target: IO[bytes], *, progress: Callable[[int], None] | None = None
) -> int:
    """Write the table as UTF-8 CSV to ``target``; returns the number of rows written.
    ``progress(rows)`` is called every :data:`PROGRESS_EVERY` rows."""
    count = -1  # the header is no row
    for line in csv_lines(table):
        target.write(line.encode("utf-8"))
        count += 1
        if progress and count and count % PROGRESS_EVERY == 0:
            progress(count)
    return count


PROGRESS_EVERY = 500


def write_xlsx(
    table: Table,
    target: str | IO[bytes],
    *,
    sheet: str,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the table as an XLSX workbook of one sheet; returns the number of rows."""
    workbook = xlsxwriter.Workbook(
        target,
        {
            "constant_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
        },
    )
    bold = workbook.add_format({"bold": True})
    formats = {
        DATE: workbook.add_format({"num_format": "yyyy-mm-dd"}),
        DATETIME: workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
    }
    worksheet = workbook.add_worksheet(sheet[:31])
    for index, column in enumerate(table.columns):
        worksheet.set_column(index, index, column.width or _WIDTHS[column.kind])
    worksheet.freeze_panes(1, 0)
    worksheet.write_row(0, 0, table.header, bold)
    count = 0
    for count, row in enumerate(table.rows, start=1):
        for index, (column, value) in enumerate(zip(table.columns, row, strict=True)):
            _write_cell(worksheet, count, index, column.kind, value, formats)
        if progress and count % PROGRESS_EVERY == 0:
            progress(count)
    worksheet.autofilter(0, 0, count, len(table.columns) - 1)
    workbook.close()
    return count


def _write_cell(
    worksheet: Any, row: int, col: int, kind: str, value: Any, formats: dict[str, Any]
) -> None:
    if value is None or value == "":
        worksheet.write_blank(row, col, None)
    elif kind == INTEGER and isinstance(value, int):
        worksheet.write_number(row, col, value)
    elif kind == DATETIME and isinstance(value, datetime):
        # Excel knows no time zones: every time in an export is in UTC, and says so.
        naive = value.astimezone(UTC).replace(tzinfo=None)
        worksheet.write_datetime(row, col, naive, formats[DATETIME])
    elif kind == DATE and isinstance(value, date):
        worksheet.write_datetime(row, col, value, formats[DATE])
    else:
        worksheet.write_string(row, col, str(value))
