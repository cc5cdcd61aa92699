"""A small protocol definition the trials tests import, break and compare."""

from __future__ import annotations

DEFINITION = """\
format: eligo-protocol/1
trial:
  code: DEMO1
  title: A small demonstration trial
  registry_id: NCT00000001
  sponsor: Demo Sponsor
protocol_version: "1.0"
settings:
  lab_validity_days: 30
criteria:
  - id: I1
    kind: inclusion
    text: Age 18 to 65 years.
    rule: age between 18 and 65 years
  - id: E1
    kind: exclusion
    text: ALT at least twice the upper limit of normal.
    rule: alt >= 2 x ULN
"""
