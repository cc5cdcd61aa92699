"""Writes of trial configuration: importing, activating and deleting protocol versions.

Keyword-only, typed, each in one transaction with its audit events.
"""
