"""The eligibility engine on its own: evaluating and loading the seed protocols, and how
evaluation time grows with the number of criteria. No Django, no database."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date
from pathlib import Path

import yaml

from benchmarks.runner import Benchmark
from eligibility import (
    Facts,
    ProtocolDefinition,
    default_catalogue,
    evaluate,
    load_definition,
    load_definition_file,
    load_facts,
)

ROOT = Path(__file__).resolve().parent.parent
PROTOCOLS = ROOT / "protocols"
EXAMPLES = PROTOCOLS / "examples"
SCREENING = date(2026, 11, 20)
SEEDS = {"hmsc100": "hMSC100", "nct06495437": "NCT06495437"}
SIZES = (10, 50, 100, 200)


def _facts(protocol: str) -> Facts:
    text = (EXAMPLES / f"{protocol}-eligible.json").read_text(encoding="utf-8")
    return load_facts(json.loads(text), source=f"{protocol}-eligible.json")


def _evaluation(definition: ProtocolDefinition, facts: Facts) -> Callable[[], object]:
    result = evaluate(definition, facts, SCREENING)
    if result.status != "eligible":
        raise RuntimeError(f"{definition.trial_code}: the eligible example is {result.status}")
    return lambda: evaluate(definition, facts, SCREENING)


def _evaluate_seed(protocol: str) -> Callable[[], Callable[[], object]]:
    def setup() -> Callable[[], object]:
        return _evaluation(load_definition_file(PROTOCOLS / f"{protocol}.yaml"), _facts(protocol))

    return setup


def _load_seed(protocol: str, *, keep_catalogue: bool) -> Callable[[], Callable[[], object]]:
    def setup() -> Callable[[], object]:
        path = PROTOCOLS / f"{protocol}.yaml"
        if not keep_catalogue:
            return lambda: load_definition_file(path)
        catalogue = default_catalogue()
        return lambda: load_definition_file(path, catalogue=catalogue)

    return setup


def synthetic_definition(size: int) -> ProtocolDefinition:
    """hMSC100 with ``size`` criteria: its own criteria repeated in order, renumbered.

    Every copy keeps its rule, so the mix of comparisons, windows, exposures and answers
    is the seed protocol's own; the candidate stays eligible at every size.
    """
    data = yaml.safe_load((PROTOCOLS / "hmsc100.yaml").read_text(encoding="utf-8"))
    seed = data["criteria"]
    criteria = []
    for n in range(size):
        criterion = dict(seed[n % len(seed)])
        criterion["id"] = f"{criterion['kind'][0].upper()}{n + 1}"
        criteria.append(criterion)
    data["criteria"] = criteria
    return load_definition(yaml.safe_dump(data, allow_unicode=True), source=f"{size}.yaml")


def _evaluate_synthetic(size: int) -> Callable[[], Callable[[], object]]:
    def setup() -> Callable[[], object]:
        return _evaluation(synthetic_definition(size), _facts("hmsc100"))

    return setup


BENCHMARKS = [
    *(
        Benchmark(
            name=f"evaluate {label}",
            description=f"evaluate the {label} definition against its complete eligible "
            "example (definition and facts loaded once, untimed)",
            setup=_evaluate_seed(protocol),
            rounds=500,
        )
        for protocol, label in SEEDS.items()
    ),
    *(
        Benchmark(
            name=f"load {label}",
            description=f"read, parse and check the {label} definition file, built-in "
            "catalogue read and checked too",
            setup=_load_seed(protocol, keep_catalogue=False),
            rounds=20,
        )
        for protocol, label in SEEDS.items()
    ),
    *(
        Benchmark(
            name=f"load {label}, catalogue kept",
            description=f"read, parse and check the {label} definition file against a "
            "catalogue loaded once",
            setup=_load_seed(protocol, keep_catalogue=True),
            rounds=50,
        )
        for protocol, label in SEEDS.items()
    ),
    *(
        Benchmark(
            name=f"evaluate {size} criteria",
            description=f"hMSC100's rules repeated to {size} criteria, eligible candidate; "
            "per operation = per criterion",
            setup=_evaluate_synthetic(size),
            operations=size,
            rounds=200 if size <= 50 else 50,
        )
        for size in SIZES
    ),
]
