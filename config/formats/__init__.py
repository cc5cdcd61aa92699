"""Eligo's date formats per language (``FORMAT_MODULE_PATH``), over Django's own.

Every page writes dates with ``DATE_FORMAT`` / ``DATETIME_FORMAT`` (templates use
``|date:"DATE_FORMAT"``; ``config.zones`` reads the same), so the language decides:
"7 Dec 2026" in English, "07.12.2026" in German, "2026年12月7日" in Chinese. Date
inputs accept the language's own forms (Django's ``DATE_INPUT_FORMATS`` for it) and
always ISO 8601 (Django adds ``%Y-%m-%d`` to every language's input formats).
Exports and the audit trail do not use these: they write ISO dates and point decimals.
"""
