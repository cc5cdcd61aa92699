"""Every screening test runs on the day after the example candidates were screened,
with no protocol definition cached from an earlier test.

The seed protocols and screenings (``protocols``, ``hmsc_screening`` ...) come from
``tests/conftest.py``; the helpers that register, start and fill screenings from
``tests/helpers.py``.
"""

from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def _frozen_today(frozen_today: None) -> None:
    """Today is 2026-11-21 for every screening test."""


@pytest.fixture(autouse=True)
def _fresh_definitions(fresh_definitions: None) -> None:
    """No definition parsed by another test is in the cache."""
