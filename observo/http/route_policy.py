"""Every route's access rule, in one table, enforced before the view runs.

A route missing from the table is refused (fail closed), and a test walks `app.url_map` so none is
forgotten. The table says who may call a route at all; which objects they then see or change is
decided by `domain/permissions.py` through the services (a hidden object answers 404).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from flask import g, request

ANYONE = "anyone"
SIGNED_IN = "signed in"
AUDITOR = "auditor or admin"
ADMIN = "admin"
# The owners' API (/api/v1/owner/..., docs/owners.md): an owner token only (http/owner_auth.py); police
# credentials and every session are refused (401) before the view.
OWNER = "owner token"
AUDIENCES = (ANYONE, SIGNED_IN, AUDITOR, ADMIN, OWNER)


@dataclass(frozen=True)
class Rule:
    who: str
    note: str
    cors: bool = False  # other sites' scripts may read it (public data only, never with credentials)
    framable: bool = False  # other sites may show it in an iframe (the public embed)
    # Writes or audits (always, or when the query string says so): SQLite then takes its write lock
    # when the transaction begins, so a request that reads first can still append to the audit chain.
    writes: bool | Callable[[Mapping[str, str]], bool] = False

    def will_write(self, args: Mapping[str, str]) -> bool:
        return self.writes(args) if callable(self.writes) else self.writes


def _accountable_list(args: Mapping[str, str]) -> bool:
    return "near" in args or "sees" in args or args.get("f") == "csv"


_PUBLIC_CAMERAS = "anonymous: public cameras at generalised positions; signed in: the read scope"
_REASON = "a `reason` and one audit entry when it can return restricted cameras"

POLICY: dict[str, dict[str, Rule]] = {
    # --- pages ---
    "static": {"GET": Rule(ANYONE, "the map's scripts and styles")},
    "vendor.file": {
        "GET": Rule(ANYONE, "pinned third-party scripts shipped in the package (docs/offline.md)", cors=True)
    },
    "base_tiles.tile": {
        "GET": Rule(ANYONE, "background tiles from OBSERVO_TILE_MBTILES; 404 when none is set", cors=True)
    },
    "pages.home": {"GET": Rule(ANYONE, "redirects to the map")},
    "pages.favicon": {"GET": Rule(ANYONE, "the site icon browsers ask for at the root")},
    "pages.login": {
        "GET": Rule(ANYONE, "the sign-in form"),
        "POST": Rule(ANYONE, "CSRF token; throttled per address and e-mail; audited", writes=True),
    },
    "pages.logout": {"POST": Rule(ANYONE, "CSRF token; audited when signed in", writes=True)},
    "pages.map_page": {"GET": Rule(SIGNED_IN, "the operational map")},
    "pages.camera_page": {"GET": Rule(SIGNED_IN, "a camera's card; 404 outside the read scope")},
    "pages.camera_list": {"GET": Rule(SIGNED_IN, "the camera table (filters, paging) in the read scope")},
    "pages.embed": {
        "GET": Rule(
            ANYONE, "public cameras of one organisation; no cookie; framed by its origins", framable=True
        )
    },
    "pages.embed_share": {
        "GET": Rule(SIGNED_IN, "the iframe snippet and a preview, for its organisation's staff")
    },
    "pages.embed_origins": {
        "GET": Rule(ADMIN, "the web sites allowed to frame an organisation's embed, as a form"),
        "POST": Rule(ADMIN, "CSRF token; same service and audit as PATCH /api/v1/organizations", writes=True),
    },
    "pages.messages": {"GET": Rule(ANYONE, "the translations the scripts use")},
    "health.healthz": {"GET": Rule(ANYONE, "liveness")},
    "health.readyz": {"GET": Rule(ANYONE, "readiness (database reachable)")},
    "metrics.metrics": {
        "GET": Rule(
            ANYONE,
            "Prometheus metrics: client addresses in OBSERVO_METRICS_ALLOW (default loopback) or "
            "`Bearer <OBSERVO_METRICS_TOKEN>`; anyone else 404; not rate-limited",
        )
    },
    # --- owners (issue 19, docs/owners.md): their session is their own, never a police one ---
    "owners.signup": {
        "GET": Rule(ANYONE, "a municipality's public sign-up form for owners; any other slug 404"),
        "POST": Rule(
            ANYONE,
            "CSRF token; throttled per address; creates an unverified owner, audited; e-mail",
            writes=True,
        ),
    },
    "owners.verify": {
        "GET": Rule(
            ANYONE, "a signed, expiring confirmation link: verifies (audited) and signs in", writes=True
        )
    },
    "owners.resend": {
        "POST": Rule(ANYONE, "CSRF token; throttled per address; the same answer for any e-mail", writes=True)
    },
    "owners.sign_in": {
        "GET": Rule(ANYONE, "the owners' sign-in form"),
        "POST": Rule(ANYONE, "CSRF token; failures throttled per address; audited", writes=True),
    },
    "owners.password_forgotten": {
        "GET": Rule(ANYONE, "the owners' form asking for a password reset link"),
        "POST": Rule(
            ANYONE, "CSRF token; throttled per address; the same answer for any e-mail; audited", writes=True
        ),
    },
    "owners.password_reset": {
        "GET": Rule(ANYONE, "a signed, expiring, single-use reset link: the new-password form"),
        "POST": Rule(
            ANYONE, "CSRF token; sets the password, ends every other session, signs in; audited", writes=True
        ),
    },
    "owners.sign_out": {"POST": Rule(ANYONE, "CSRF token; ends the owner's sessions; audited", writes=True)},
    "owners.home": {"GET": Rule(ANYONE, "the signed-in owner's page; anyone else: the owners' sign-in")},
    "owners.declare_camera": {
        "GET": Rule(ANYONE, "the signed-in owner's camera form; anyone else: the owners' sign-in"),
        "POST": Rule(
            ANYONE, "CSRF token; the owner declares a camera for the police to verify; audited", writes=True
        ),
    },
    "owners.change_camera": {
        "GET": Rule(ANYONE, "the owner's form for one of its approved cameras; another's 404"),
        "POST": Rule(ANYONE, "CSRF token; a change for the police to verify; audited", writes=True),
    },
    "owners.edit_declaration": {
        "GET": Rule(ANYONE, "the owner's form for one of its open declarations; another's 404"),
        "POST": Rule(ANYONE, "CSRF token; the version read; the correction, audited", writes=True),
    },
    "owners.cancel_declaration": {
        "POST": Rule(ANYONE, "CSRF token; the version read; the owner cancels it; audited", writes=True)
    },
    "owners.withdraw_camera": {
        "GET": Rule(ANYONE, "what withdrawing one of its cameras means; another's 404"),
        "POST": Rule(ANYONE, "CSRF token; the camera leaves the registry at once; audited", writes=True),
    },
    "owners.confirm_cameras": {
        "POST": Rule(
            ANYONE, "CSRF token; the owner re-confirms its due cameras (or one); audited", writes=True
        )
    },
    "owners.requests_page": {
        "GET": Rule(ANYONE, "the owner's footage requests, each read audited; else sign-in", writes=True)
    },
    "owners.request_page": {
        "GET": Rule(ANYONE, "one request of the signed-in owner (audited); another's 404", writes=True),
        "POST": Rule(ANYONE, "CSRF token; the owner's answer to its own request; audited", writes=True),
    },
    # --- police verification of owners' cameras (issue 19, docs/owners.md) ---
    "verifications.Verifications": {
        "GET": Rule(SIGNED_IN, "editors (the owners their municipality sponsors), admins; viewers 403")
    },
    "verifications.VerificationItem": {"GET": Rule(SIGNED_IN, "one declaration of the queue; else 404")},
    "verifications.VerificationDecision": {
        "POST": Rule(SIGNED_IN, "approve, ask for changes, reject; If-Match; audited; e-mail", writes=True)
    },
    "pages.verification_queue": {
        "GET": Rule(SIGNED_IN, "the queue of owners' cameras: editors, admins; viewers 403"),
        "POST": Rule(SIGNED_IN, "a decision; CSRF token; the version read; audited; e-mail", writes=True),
    },
    # --- the owners' API and tokens (issue 19, docs/owners.md, "API and CLI") ---
    "owner.Owner": {"GET": Rule(OWNER, "the token's owner organisation and account")},
    "owner.OwnerCameras": {"GET": Rule(OWNER, "its organisation's approved cameras as GeoJSON")},
    "owner.OwnerCamera": {
        "DELETE": Rule(OWNER, "withdraw one of its cameras: it leaves the registry; audited", writes=True)
    },
    "owner.OwnerCameraChanges": {
        "POST": Rule(OWNER, "a change of one of its cameras for the police to verify; audited", writes=True)
    },
    "owner.OwnerDeclarations": {
        "GET": Rule(OWNER, "its organisation's declarations"),
        "POST": Rule(OWNER, "declare a camera for the police to verify; audited", writes=True),
    },
    "owner.OwnerDeclaration": {
        "GET": Rule(OWNER, "one of its declarations; another owner's 404"),
        "PATCH": Rule(OWNER, "correct an open declaration; If-Match; audited", writes=True),
        "DELETE": Rule(OWNER, "cancel an open declaration; If-Match; audited", writes=True),
    },
    "owner.OwnerRequests": {
        "GET": Rule(OWNER, "footage requests addressed to its organisation; each read audited", writes=True)
    },
    "owner.OwnerRequest": {
        "GET": Rule(OWNER, "one request to its organisation (audited); another owner's 404", writes=True)
    },
    "owner.OwnerRequestAnswers": {
        "POST": Rule(OWNER, "answer a request to its organisation; audited", writes=True)
    },
    "owner.OwnerTokens": {
        "GET": Rule(OWNER, "the account's own owner tokens (prefixes only)"),
        "POST": Rule(OWNER, "a new owner token of the account, shown once; audited", writes=True),
    },
    "owner.OwnerTokenItem": {
        "DELETE": Rule(OWNER, "revoke one of the account's tokens (another's 404); audited", writes=True)
    },
    "owners.tokens_page": {
        "GET": Rule(ANYONE, "the signed-in owner's API tokens; anyone else: the owners' sign-in"),
        "POST": Rule(ANYONE, "CSRF token; a new owner token shown once on the page; audited", writes=True),
    },
    "owners.revoke_token": {
        "POST": Rule(ANYONE, "CSRF token; revoke one of its tokens (another's 404); audited", writes=True)
    },
    # --- API documentation ---
    "api-docs.openapi_json": {"GET": Rule(ANYONE, "the OpenAPI document", cors=True)},
    "api-docs.openapi_swagger_ui": {"GET": Rule(ANYONE, "the API documentation page")},
    # --- cameras ---
    "cameras.Cameras": {
        "GET": Rule(
            ANYONE,
            f"{_PUBLIC_CAMERAS}; `near`, `sees` and `f=csv` need {_REASON}",
            cors=True,
            writes=_accountable_list,
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
    "search.Search": {
        "POST": Rule(
            ANYONE,
            f"signed-in callers (401 otherwise) in their read scope; needs {_REASON}",
            cors=True,
            writes=True,
        )
    },
    "clusters.Clusters": {"GET": Rule(ANYONE, f"counts per map cell; {_PUBLIC_CAMERAS}", cors=True)},
    # --- coverage ---
    "coverage.Coverage": {
        "POST": Rule(SIGNED_IN, f"coverage and gaps in the caller's read scope; needs {_REASON}", writes=True)
    },
    # --- interventions (API) ---
    "interventions.Interventions": {
        "GET": Rule(SIGNED_IN, "interventions led by or shared with the caller's organisation or pacts"),
        "POST": Rule(SIGNED_IN, "led by the caller's organisation (admins: any); audited", writes=True),
    },
    "interventions.InterventionItem": {
        "GET": Rule(SIGNED_IN, "one intervention; 404 unless led by or shared with the caller"),
        "PATCH": Rule(SIGNED_IN, "users of the lead, admins; If-Match; confirming snapshots", writes=True),
        "DELETE": Rule(SIGNED_IN, "users of the lead, admins; If-Match; audited", writes=True),
    },
    "interventions.InterventionSnapshot": {
        "POST": Rule(SIGNED_IN, "users of the lead, admins; If-Match; a coverage run, audited", writes=True)
    },
    "interventions.InterventionDeadlines": {
        "GET": Rule(SIGNED_IN, "footage deadlines and contacts of the readable cameras; audited", writes=True)
    },
    "interventions.InterventionMap": {
        "GET": Rule(SIGNED_IN, "map layers of the readable cameras; audited when computed live", writes=True)
    },
    "interventions.PreservationRequests": {
        "GET": Rule(SIGNED_IN, "preservation requests of a readable intervention"),
        "POST": Rule(SIGNED_IN, "readers of the intervention; audited with its reason", writes=True),
    },
    "interventions.PreservationRequestItem": {
        "GET": Rule(SIGNED_IN, "one preservation request of a readable intervention"),
        "PATCH": Rule(SIGNED_IN, "readers of the intervention; If-Match; audited", writes=True),
    },
    # --- interventions (pages) ---
    "pages.intervention_list": {"GET": Rule(SIGNED_IN, "the interventions the user may read")},
    "pages.intervention_page": {
        "GET": Rule(
            SIGNED_IN,
            "an intervention; its deadlines and contacts audited with its reason; else 404",
            writes=True,
        ),
        "POST": Rule(SIGNED_IN, "record a preservation request; CSRF token; audited", writes=True),
    },
    "pages.intervention_brief": {
        "GET": Rule(
            SIGNED_IN,
            "printable brief (`f=pdf`: PDF); 401 anonymous, 404 outside the sharing; audited with the reason",
            writes=True,
        )
    },
    # --- places and statistics ---
    "places.Places": {
        "GET": Rule(SIGNED_IN, "places of the caller's organisations and pact partners (admins: all)"),
        "POST": Rule(SIGNED_IN, "editors of its organisation, admins; measured; audited", writes=True),
    },
    "places.PlaceItem": {
        "GET": Rule(SIGNED_IN, "one place; 404 outside the caller's organisations and partners"),
        "PATCH": Rule(SIGNED_IN, "editors of the organisation, admins; If-Match; audited", writes=True),
        "DELETE": Rule(SIGNED_IN, "editors of the organisation, admins; If-Match; audited", writes=True),
    },
    "places.PlaceCoverageHistory": {
        "GET": Rule(SIGNED_IN, "a readable place's coverage measurements, oldest first"),
        "POST": Rule(SIGNED_IN, "measure now: editors of the organisation, admins; audited", writes=True),
    },
    "stats.Stats": {"GET": Rule(SIGNED_IN, "camera counts in the caller's read scope; own places' trend")},
    "pages.stats_page": {"GET": Rule(SIGNED_IN, "the statistics page (the API's figures as tables)")},
    # --- exports (issue 7) ---
    "exports.Exports": {
        "GET": Rule(ANYONE, f"{_PUBLIC_CAMERAS}; signed in: needs {_REASON}", cors=True, writes=True),
        "POST": Rule(
            ANYONE,
            f"the same export run once into a file (201, its URL); signed in: needs {_REASON}",
            writes=True,
        ),
    },
    "exports.ExportFileItem": {
        "GET": Rule(
            ANYONE,
            "a finished export until OBSERVO_EXPORT_FILE_TTL_S: the unguessable URL is the capability; "
            "another user's credentials get 404; ranges; not audited (the POST was)",
        )
    },
    # --- imports (issue 7) ---
    "imports.Imports": {
        "POST": Rule(SIGNED_IN, "editors of the owners, admins; all rows or none; audited", writes=True)
    },
    "imports.Import": {"GET": Rule(SIGNED_IN, "an import's status and report: its editors, admins")},
    # --- obstacles to cameras' views (issue 20) ---
    "obstacles.Obstacles": {
        "GET": Rule(SIGNED_IN, "by box: layers of the organisations whose cameras the caller reads"),
        "DELETE": Rule(SIGNED_IN, "editors of the organisation, admins; by source; audited", writes=True),
    },
    "obstacles.ObstacleImports": {
        "POST": Rule(
            SIGNED_IN,
            "editors of the organisation, admins; all or nothing; audited; large files: 202, a job",
            writes=True,
        )
    },
    "obstacles.ObstacleImport": {
        "GET": Rule(SIGNED_IN, "a background layer import's status and outcome: its editors, admins")
    },
    # --- OGC API - Features (issue 7) ---
    "ogc.landing": {"GET": Rule(ANYONE, "OGC API landing page (JSON)", cors=True)},
    "ogc.conformance": {"GET": Rule(ANYONE, "OGC conformance classes", cors=True)},
    "ogc.api": {"GET": Rule(ANYONE, "OpenAPI 3.0 of the OGC endpoints (`f=html`: a page)", cors=True)},
    "ogc.collections": {"GET": Rule(ANYONE, f"the collections; extent: {_PUBLIC_CAMERAS}", cors=True)},
    "ogc.camera_collection": {"GET": Rule(ANYONE, f"the cameras collection; {_PUBLIC_CAMERAS}", cors=True)},
    "ogc.camera_items": {"GET": Rule(ANYONE, f"cameras as GeoJSON pages; {_PUBLIC_CAMERAS}", cors=True)},
    "ogc.camera_item": {"GET": Rule(ANYONE, f"one camera; {_PUBLIC_CAMERAS}; 404 outside it", cors=True)},
    "ogc.camera_queryables": {
        "GET": Rule(ANYONE, "the cameras' queryables; anonymous: the public properties only", cors=True)
    },
    # Fields of view are not public: anonymous callers get the 404 of a missing collection, never a 401.
    "ogc.view_collection": {"GET": Rule(ANYONE, "fields of view: signed in; anonymous: 404", cors=True)},
    "ogc.view_items": {"GET": Rule(ANYONE, "fields of view in the read scope; anonymous: 404", cors=True)},
    "ogc.view_item": {"GET": Rule(ANYONE, "one field of view in the read scope; else 404", cors=True)},
    "ogc.view_queryables": {"GET": Rule(ANYONE, "views queryables; anonymous: 404", cors=True)},
    "ogc.unknown": {"GET": Rule(ANYONE, "unknown collections and items: 404", cors=True)},
    # --- vector tiles (issue 7) ---
    "tiles.public_tile": {
        "GET": Rule(ANYONE, "public cameras at generalised positions, alike for all; cached", cors=True)
    },
    "tiles.restricted_tile": {
        "GET": Rule(ANYONE, "signed-in callers (401 otherwise) in their read scope, exact; never cached")
    },
    "tiles.public_tilejson": {
        "GET": Rule(ANYONE, "TileJSON 3.0.0 of the public tiles; bounds of the public cameras", cors=True)
    },
    "tiles.restricted_tilejson": {
        "GET": Rule(ANYONE, "TileJSON of the restricted tiles: signed in (401 otherwise); their scope")
    },
    # --- audit ---
    "audit.AuditEntries": {
        "GET": Rule(
            AUDITOR, "admins: every entry; auditors: their organisation's; reading is audited", writes=True
        )
    },
    # --- organisations, pacts, users, tokens ---
    "organizations.Organisations": {
        "GET": Rule(SIGNED_IN, "admins: all; others: own, sponsored, pact partners"),
        "POST": Rule(ADMIN, "register an organisation; audited", writes=True),
    },
    "organizations.OrganisationItem": {
        "GET": Rule(SIGNED_IN, "as the list; 404 otherwise"),
        "PATCH": Rule(
            ADMIN, "audited (before/after); a new precision re-snaps its public positions", writes=True
        ),
    },
    "pacts.Pacts": {
        "GET": Rule(SIGNED_IN, "admins: all; others: the pacts of their organisation"),
        "POST": Rule(ADMIN, "create a pact; audited", writes=True),
    },
    "pacts.PactItem": {
        "GET": Rule(SIGNED_IN, "as the list; 404 otherwise"),
        "PATCH": Rule(ADMIN, "rename, replace members; audited (before/after)", writes=True),
        "DELETE": Rule(ADMIN, "dissolve the pact; audited", writes=True),
    },
    "users.Users": {
        "GET": Rule(SIGNED_IN, "admins: all; others: the users of their organisation"),
        "POST": Rule(ADMIN, "create a user; audited, never the password", writes=True),
    },
    "users.Me": {"GET": Rule(SIGNED_IN, "the caller's own account")},
    "users.UserItem": {
        "GET": Rule(SIGNED_IN, "admins: any; others: same organisation; 404 otherwise"),
        "PATCH": Rule(ADMIN, "audited (before/after); deactivation stops tokens and sessions", writes=True),
    },
    "tokens.Tokens": {
        "GET": Rule(SIGNED_IN, "own tokens; admins: everyone's"),
        "POST": Rule(SIGNED_IN, "a token for the caller, shown once; audited", writes=True),
    },
    "tokens.TokenItem": {
        "DELETE": Rule(SIGNED_IN, "revoke own tokens (admins: any; others' are 404); audited", writes=True)
    },
}


def rule_for(endpoint: str, method: str) -> Rule | None:
    """The rule of `method` on `endpoint`; HEAD follows GET, OPTIONS the route's read rule."""
    rules = POLICY.get(endpoint, {})
    if method == "HEAD":
        return rules.get("GET")
    if method == "OPTIONS":  # it only lists methods (or answers a preflight for the GET/POST rule)
        return rules.get("GET") or rules.get("POST") or next(iter(rules.values()), None)
    return rules.get(method)


def current_rule() -> Rule | None:
    """The matched route's rule for this request's method (None: no route, or none in the table).

    Looked up once per request: the access check, the headers and the CORS answer all read it.
    """
    if "route_rule" not in g:
        g.route_rule = rule_for(request.endpoint, request.method) if request.endpoint else None
    return g.route_rule


def describe(url_map: Any) -> list[tuple[str, str, Rule | None]]:
    """(path, method, rule) of every route an app serves, sorted by path: the documented policy."""
    rows = []
    for url_rule in url_map.iter_rules():
        for method in sorted((url_rule.methods or set()) - {"HEAD", "OPTIONS"}):
            rows.append((url_rule.rule, method, rule_for(url_rule.endpoint, method)))
    return sorted(rows, key=lambda row: (row[0], row[1]))


def markdown_table(url_map: Any) -> str:
    lines = ["| path | method | who | rule | CORS | framable |", "| --- | --- | --- | --- | --- | --- |"]
    for path, method, rule in describe(url_map):
        if rule is None:
            lines.append(f"| `{path}` | {method} | **none: refused** | | | |")
            continue
        cors = "yes" if rule.cors else ""
        framable = "yes" if rule.framable else ""
        lines.append(f"| `{path}` | {method} | {rule.who} | {rule.note} | {cors} | {framable} |")
    return "\n".join(lines)
