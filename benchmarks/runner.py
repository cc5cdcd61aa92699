"""Time benchmarks and write the results table."""

from __future__ import annotations

import importlib
import os
import platform
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "benchmarks.md"
START = "<!-- results:start -->"
END = "<!-- results:end -->"


@dataclass(frozen=True)
class Benchmark:
    name: str
    description: str
    setup: Callable[[], Callable[[], object]]
    """Returns the operation to time; setup work is not timed."""
    operations: int = 1
    """How many units of work one call performs (rows, evaluations, requests)."""
    rounds: int = 20


@dataclass(frozen=True)
class Result:
    benchmark: Benchmark
    median_s: float
    p95_s: float

    @property
    def per_operation_ms(self) -> float:
        return self.median_s * 1000 / self.benchmark.operations


def measure(benchmark: Benchmark) -> Result:
    operation = benchmark.setup()
    operation()  # warm caches and imports once, untimed
    timings = []
    for _ in range(benchmark.rounds):
        started = time.perf_counter()
        operation()
        timings.append(time.perf_counter() - started)
    timings.sort()
    p95 = timings[min(len(timings) - 1, round(0.95 * (len(timings) - 1)))]
    return Result(benchmark, statistics.median(timings), p95)


def discover() -> list[Benchmark]:
    found: list[Benchmark] = []
    for path in sorted((ROOT / "benchmarks").glob("bench_*.py")):
        module = importlib.import_module(f"benchmarks.{path.stem}")
        found.extend(module.BENCHMARKS)
    return found


def table(results: Sequence[Result]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = (
        f"{platform.python_implementation()} {platform.python_version()}, {os.cpu_count()} cores"
    )
    # Show only the host part of a database URL: never its credentials.
    database = os.environ.get("DATABASE_URL", "SQLite (default)").split("@")[-1]
    lines = [
        f"Last run {when} on {machine}, database {database}.",
        "",
        "| benchmark | what it measures | median | p95 | per operation |",
        "|---|---|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r.benchmark.name} | {r.benchmark.description} | {r.median_s * 1000:.2f} ms "
            f"| {r.p95_s * 1000:.2f} ms | {r.per_operation_ms:.3f} ms |"
        )
    return "\n".join(lines)


def write_doc(results: Sequence[Result]) -> None:
    text = DOC.read_text(encoding="utf-8")
    before, _, rest = text.partition(START)
    _, _, after = rest.partition(END)
    DOC.write_text(f"{before}{START}\n{table(results)}\n{END}{after}", encoding="utf-8")
