"""Request ids and client addresses for the audit trail."""

from __future__ import annotations

import ipaddress
import re
import uuid
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

REQUEST_ID_HEADER = "X-Request-ID"
# Accept what proxies commonly send (UUIDs, hex, dashed tokens), nothing that
# could smuggle spaces, separators or control characters into logs and CSVs.
_SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,63}$")


class RequestIdMiddleware:
    """Give every request an id, echoed in the response, so logs and audit events meet.

    A sane ``X-Request-ID`` from the proxy in front of Eligo is kept, so one id
    follows the request through every tier; otherwise a UUID4 is made.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        request_id = incoming if _SANE_REQUEST_ID.match(incoming) else str(uuid.uuid4())
        request.request_id = request_id  # type: ignore[attr-defined]
        response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


def client_address(request: HttpRequest) -> str:
    """The address the request came from, as far as Eligo can vouch for it.

    ``REMOTE_ADDR`` is the peer of the web process. Behind Eligo's own TLS
    proxy (``BEHIND_TLS_PROXY``) that peer is the proxy, and the client is
    the last hop the proxy appended to ``X-Forwarded-For``; earlier hops are
    whatever the client chose to send and are never trusted.
    """
    address = request.META.get("REMOTE_ADDR", "")
    if getattr(settings, "BEHIND_TLS_PROXY", False):
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
        if hops:
            address = hops[-1]
    try:
        return str(ipaddress.ip_address(address))
    except ValueError:
        return ""


def request_id_of(request: HttpRequest) -> str:
    return str(getattr(request, "request_id", ""))
