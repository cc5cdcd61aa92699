"""Shared fixtures for the engine's tests: the seed protocols and their example facts."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from eligibility import (
    ProtocolDefinition,
    default_catalogue,
    load_definition,
    load_definition_file,
)
from eligibility.catalogue import Catalogue

from .helpers import ANCHOR_ENTRIES, PROTOCOLS, Facts, example


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    return default_catalogue()


@pytest.fixture(scope="session")
def anchored_catalogue(catalogue: Catalogue) -> Catalogue:
    """The built-in catalogue with two reference dates and two event types of a protocol."""
    return catalogue.extended(ANCHOR_ENTRIES)


@pytest.fixture(scope="session")
def hmsc100() -> ProtocolDefinition:
    return load_definition_file(PROTOCOLS / "hmsc100.yaml")


@pytest.fixture(scope="session")
def nct() -> ProtocolDefinition:
    return load_definition_file(PROTOCOLS / "nct06495437.yaml")


@pytest.fixture
def hmsc_facts() -> Facts:
    return example("hmsc100-eligible.json")


@pytest.fixture
def nct_facts() -> Facts:
    return example("nct06495437-eligible.json")


@pytest.fixture
def small() -> Callable[..., ProtocolDefinition]:
    """A one-criterion definition around ``rule`` (inclusion unless told)."""

    def build(rule: str, kind: str = "inclusion", extra: str = "") -> ProtocolDefinition:
        cid = "I1" if kind == "inclusion" else "E1"
        indented = "\n".join("      " + line for line in rule.splitlines())
        text = f"""format: eligo-protocol/1
trial: {{code: T1, title: Test trial}}
protocol_version: "1"
{extra}
criteria:
  - id: {cid}
    kind: {kind}
    text: A criterion under test.
    rule: |-
{indented}
"""
        return load_definition(text, source="test.yaml")

    return build
