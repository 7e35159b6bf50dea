"""Every route's access rule, in one table, enforced before the view runs.

A route missing from the table is refused (fail closed), and a test walks `app.url_map` so none is
forgotten. The table says who may call a route at all; which objects they then see or change is
decided by `domain/permissions.py` through the services (a hidden object answers 404).
"""

from __future__ import annotations

from dataclasses import dataclass

ANYONE = "anyone"
SIGNED_IN = "signed in"
AUDITOR = "auditor or admin"
ADMIN = "admin"
AUDIENCES = (ANYONE, SIGNED_IN, AUDITOR, ADMIN)


@dataclass(frozen=True)
class Rule:
    who: str
    note: str
    cors: bool = False  # other sites' scripts may read it (public data only, never with credentials)
    framable: bool = False  # other sites may show it in an iframe (the public embed)
    # Writes or audits: SQLite then takes its write lock when the transaction begins, so a request
    # that reads first can still append to the audit chain.
    writes: bool = False


_PUBLIC_CAMERAS = "anonymous: public cameras at generalised positions; signed in: the read scope"
_REASON = "a `reason` and one audit entry when it can return restricted cameras"

POLICY: dict[str, dict[str, Rule]] = {
    # --- pages ---
    "static": {"GET": Rule(ANYONE, "the map's scripts and styles")},
    "pages.home": {"GET": Rule(ANYONE, "redirects to the map")},
    "pages.login": {
        "GET": Rule(ANYONE, "the sign-in form"),
        "POST": Rule(ANYONE, "CSRF token; throttled per address and e-mail; audited", writes=True),
    },
    "pages.logout": {"POST": Rule(ANYONE, "CSRF token; audited when signed in", writes=True)},
    "pages.map_page": {"GET": Rule(SIGNED_IN, "the operational map")},
    "pages.camera_page": {"GET": Rule(SIGNED_IN, "a camera's card; 404 outside the read scope")},
    "health.healthz": {"GET": Rule(ANYONE, "liveness")},
    "health.readyz": {"GET": Rule(ANYONE, "readiness (database reachable)")},
    # --- API documentation ---
    "api-docs.openapi_json": {"GET": Rule(ANYONE, "the OpenAPI document", cors=True)},
    "api-docs.openapi_swagger_ui": {"GET": Rule(ANYONE, "the API documentation page")},
    # --- cameras ---
    "cameras.Cameras": {
        "GET": Rule(
            ANYONE, f"{_PUBLIC_CAMERAS}; `near`, `sees` and `f=csv` need {_REASON}", cors=True, writes=True
        ),
        "POST": Rule(SIGNED_IN, "editors of the owner (or of its sponsor), admins; audited", writes=True),
    },
    "cameras.Nearest": {"GET": Rule(ANYONE, f"{_PUBLIC_CAMERAS}; needs {_REASON}", cors=True, writes=True)},
    "cameras.Camera": {
        "GET": Rule(ANYONE, f"{_PUBLIC_CAMERAS}; 404 outside it", cors=True),
        "PATCH": Rule(
            SIGNED_IN, "editors of the owner, admins; If-Match; audited (before/after)", writes=True
        ),
        "DELETE": Rule(SIGNED_IN, "editors of the owner, admins; If-Match; audited", writes=True),
    },
    "cameras.CameraHistory": {"GET": Rule(SIGNED_IN, "status history of a camera in the read scope")},
    "cameras.CameraContacts": {
        "GET": Rule(
            SIGNED_IN, "owner and footage contacts of a camera in the read scope; audited", writes=True
        )
    },
    "search.Search": {"POST": Rule(ANYONE, f"{_PUBLIC_CAMERAS}; needs {_REASON}", cors=True, writes=True)},
    "clusters.Clusters": {"GET": Rule(ANYONE, f"counts per map cell; {_PUBLIC_CAMERAS}", cors=True)},
    # --- audit ---
    "audit.AuditEntries": {
        "GET": Rule(
            AUDITOR, "admins: every entry; auditors: their organisation's; reading is audited", writes=True
        )
    },
    # --- organisations, pacts, users, tokens ---
    "organizations.Organisations": {
        "GET": Rule(SIGNED_IN, "admins: all; others: own, sponsored, pact partners")
    },
    "organizations.OrganisationItem": {"GET": Rule(SIGNED_IN, "as the list; 404 otherwise")},
}


def rule_for(endpoint: str, method: str) -> Rule | None:
    """The rule of `method` on `endpoint`; HEAD and OPTIONS follow GET (OPTIONS may be a preflight)."""
    rules = POLICY.get(endpoint, {})
    if method in ("HEAD", "OPTIONS"):
        return rules.get("GET") or (rules.get("POST") if method == "OPTIONS" else None)
    return rules.get(method)
