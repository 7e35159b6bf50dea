"""Only the configured host names are served (docs/security.md, "Trusted hosts").

Absolute links (OGC `links`, paging, `Location`) are built from the request's host, so a request
naming another host would make Observo publish links to it. Every request whose host (behind
ProxyFix: the forwarded one) is not in `trusted_hosts` gets 400 before anything else runs, and its
host is echoed nowhere. Liveness, readiness and metrics build no links and are answered whatever
the host: probes often address the container by its IP.

Werkzeug's own check (Flask's TRUSTED_HOSTS) is not used: it cannot match an IPv6 literal (`::1`).
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask, current_app, render_template, request

from observo.http.i18n import gettext, language
from observo.http.problem_api import is_api_request
from observo.http.problems import problem
from observo.http.session import stop_loading_signed_in

# host[:port]: a name or IPv4 address, or an IPv6 literal in brackets (RFC 9110 Host).
_HOST = re.compile(r"(?P<name>[a-z0-9.-]+|\[(?P<ipv6>[0-9a-f:.]+)\])(?::(?P<port>[0-9]{1,5}))?", re.ASCII)
# Answered whatever the Host: they echo nothing (container probes use the pod's address).
_ANY_HOST_ENDPOINTS = frozenset({"health.healthz", "health.readyz", "metrics.metrics"})
_DETAIL = "the request names a host this site does not serve (OBSERVO_TRUSTED_HOSTS)"


def install_host_check(app: Flask) -> None:
    """Install first (after the request id): no other hook may see an untrusted host."""
    app.before_request(_check_host)


def _check_host() -> Any:
    trusted = current_app.config["OBSERVO_SETTINGS"].trusted_hosts
    if request.endpoint in _ANY_HOST_ENDPOINTS or host_is_trusted(request.host, trusted):
        return None
    if is_api_request():
        return problem(400, "untrusted_host", _DETAIL)
    stop_loading_signed_in()  # the page is not for this site: no session, no menu
    detail = gettext("This site does not answer to the address in the request.")
    return render_template("error.html", lang=language(), detail=detail), 400


def host_is_trusted(host: str, trusted: tuple[str, ...]) -> bool:
    """Does `host` (a Host header, port allowed) name one of `trusted`? An entry `.example.it` matches
    example.it and every subdomain; ports are ignored."""
    match = _HOST.fullmatch(host.strip().lower())
    if match is None:
        return False
    name = match["ipv6"] or match["name"]
    for entry in trusted:
        if entry.startswith("."):
            if name == entry[1:] or name.endswith(entry):
                return True
        elif name == entry.strip("[]"):
            return True
    return False
