"""What the audit trail tells the layers above it without importing them."""

from django.dispatch import Signal

chain_check_failed = Signal()
"""Sent by the nightly check when the chain is broken or no checkpoint could be
written; ``summary``: what went wrong (sequence numbers and kinds, never data)."""
