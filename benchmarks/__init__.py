"""Eligo's benchmarks: ``make bench`` runs every ``bench_*`` module here.

Each module defines ``BENCHMARKS``: a sequence of ``Benchmark`` objects. The
runner times each one, prints the table and rewrites the results section of
``docs/benchmarks.md``. Timings are wall-clock medians over repeated rounds on
the machine that ran them; the table records that machine.
"""
