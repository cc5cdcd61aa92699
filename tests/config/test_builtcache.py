"""The one cache of built things: kept by key, least recently used out first."""

from __future__ import annotations

from config.builtcache import BuiltCache


def test_an_entry_is_built_once_per_key_and_the_oldest_falls_out() -> None:
    built: list[str] = []
    cache: BuiltCache[str, str] = BuiltCache(maxsize=2)

    def build(key: str) -> str:
        built.append(key)
        return key.upper()

    assert cache.get_or_build("a", lambda: build("a")) == "A"
    assert cache.get_or_build("a", lambda: build("a")) == "A"
    cache.get_or_build("b", lambda: build("b"))
    cache.get_or_build("a", lambda: build("a"))  # "a" is now the most recent
    cache.get_or_build("c", lambda: build("c"))  # so "b" falls out
    cache.get_or_build("a", lambda: build("a"))
    cache.get_or_build("b", lambda: build("b"))
    assert built == ["a", "b", "c", "b"]
    assert len(cache) == 2


def test_a_disabled_cache_builds_every_time() -> None:
    cache: BuiltCache[str, int] = BuiltCache(maxsize=2)
    cache.enabled = False
    calls = []
    for _ in range(3):
        cache.get_or_build("k", lambda: calls.append(1) or len(calls))
    assert len(calls) == 3
    assert len(cache) == 0
