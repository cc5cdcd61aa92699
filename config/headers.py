"""Browser protections Django and django-csp do not set by themselves.

Every response a view produces leaves with:

- ``Cache-Control: no-store`` (with Django's other never-cache headers): Eligo's pages
  and downloads are about candidates — names, dates of birth, screening data — and
  sit behind a login. Nothing dynamic is worth caching, and a list of "identity
  pages" kept by hand would miss the next one added, so the rule is every response,
  not a chosen few. Static files never reach this middleware (WhiteNoise answers them
  first) and keep their long cache lifetimes.
- ``Permissions-Policy`` switching off every powerful browser feature: Eligo uses
  none, so a script that ever slipped through could not reach the camera, the
  microphone, the location or a payment sheet.
- ``Cross-Origin-Resource-Policy: same-origin``: another site cannot embed a page or
  a CSV of Eligo's as an image, a script or a frame and read what it leaks.

The Content-Security-Policy itself comes from django-csp (``CONTENT_SECURITY_POLICY``
in settings); Referrer-Policy, X-Content-Type-Options and Cross-Origin-Opener-Policy
from Django's ``SecurityMiddleware``. ``docs/security.md`` explains the choices.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import add_never_cache_headers

# Features the browser may never grant a page of Eligo's, to itself or to a frame.
# Only names Chromium and Firefox know: an unknown one is logged as a header error.
DENIED_FEATURES = (
    "accelerometer",
    "autoplay",
    "camera",
    "display-capture",
    "encrypted-media",
    "fullscreen",
    "geolocation",
    "gyroscope",
    "hid",
    "idle-detection",
    "magnetometer",
    "microphone",
    "midi",
    "payment",
    "picture-in-picture",
    "publickey-credentials-get",
    "screen-wake-lock",
    "serial",
    "usb",
    "xr-spatial-tracking",
)
PERMISSIONS_POLICY = ", ".join(f"{feature}=()" for feature in DENIED_FEATURES)


class BrowserProtectionsMiddleware:
    """Adds no-store caching, Permissions-Policy and Cross-Origin-Resource-Policy."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        # Patched, not replaced: whatever a view already said stays, made no looser
        # than no-store.
        add_never_cache_headers(response)
        response.headers.setdefault("Permissions-Policy", PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        return response
