"""``python -m benchmarks``: run every benchmark and update docs/benchmarks.md."""

from __future__ import annotations

import os

import django


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from benchmarks.runner import discover, measure, table, write_doc

    results = []
    for benchmark in discover():
        print(f"running {benchmark.name} …", flush=True)
        results.append(measure(benchmark))
    print(table(results))
    write_doc(results)


if __name__ == "__main__":
    main()
