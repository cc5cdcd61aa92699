"""Request handling through the whole Django stack, without the network."""

from __future__ import annotations

from collections.abc import Callable

from benchmarks.runner import Benchmark


def _login_page() -> Callable[[], object]:
    from django.test import Client

    client = Client(SERVER_NAME="localhost")

    def render() -> object:
        response = client.get("/login/")
        if response.status_code != 200:
            raise RuntimeError(f"GET /login/ answered {response.status_code}")
        return response

    return render


BENCHMARKS = [
    Benchmark(
        name="login page",
        description="GET /login/ through middleware, template and crispy form",
        setup=_login_page,
        rounds=50,
    ),
]
