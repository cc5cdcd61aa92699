"""Say so when identities are protected by development keys derived from ``SECRET_KEY``."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security)
def development_identity_keys(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    names = [
        name
        for name, key in (
            ("master key", settings.IDENTITY_MASTER_KEYS.current),
            ("blind index key", settings.IDENTITY_INDEX_KEY),
        )
        if key.development
    ]
    if not names:
        return []
    return [
        checks.Info(
            f"Candidates' identities use a development {' and '.join(names)} derived from "
            "SECRET_KEY, because DEBUG is on and ELIGO_MASTER_KEY / ELIGO_INDEX_KEY are not set.",
            hint="Production sets ELIGO_MASTER_KEY (or ELIGO_MASTER_KEY_FILE) and "
            "ELIGO_INDEX_KEY (docs/privacy.md).",
            id="vault.I001",
        )
    ]
