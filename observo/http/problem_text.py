"""problem+json `detail` and `errors[].detail` in the request's language, as the titles are.

The domain and the services raise errors with English details (they know no request, and tests and
logs read them); the answer translates them here. A detail is one of DETAILS word for word, or fits
one whose `%(name)s` placeholders stand for values (a slug, an id, a number), which are kept as they
are. A detail fitting none stays English: a new message is readable before it is translated. Add a
detail's English text here (and its Italian to the catalogue) when you write a new one.
"""

from __future__ import annotations

import re
from functools import cache

from flask_babel import get_locale, gettext

_PLACEHOLDER = re.compile(r"%\((\w+)\)s")
# Placeholders that stand for free text (lists, quoted names, parser messages); every other one is
# one word (an id, a slug, a number), so "no camera %(id)s" never swallows "no camera type column...".
_FREE_TEXT = frozenset({"choices", "types", "roles", "detail", "reason", "name", "endpoint", "limit"})
_FREE, _WORD = r".+?", r"\S+?"


def _l(message: str) -> str:
    """Marks a detail for the catalogue (`make messages` extracts `_l`); translated when answering."""
    return message


DETAILS: tuple[str, ...] = (
    # the API's own
    _l("the request does not satisfy the contract"),
    _l("the query string does not satisfy the contract"),
    _l("an unexpected error: quote the request_id when reporting it"),
    _l("malformed JSON: %(detail)s"),
    _l("send application/json (or application/merge-patch+json)"),
    _l("sign in or send 'Authorization: Bearer <token>'"),
    _l("send a valid 'Authorization: Bearer <token>': unknown, expired or revoked"),
    _l(
        "a browser session is accepted only from Observo's own pages: another site cannot make this "
        "request in your name (scripts: send a bearer token)"
    ),
    _l("administrators only"),
    _l("administrators and the organisation's auditors only"),
    _l("no access rule for %(method)s %(endpoint)s: refused"),
    _l("send If-Match with the ETag you read"),
    _l("If-Match does not name a current version of this object"),
    _l("rate limit of %(limit)s reached: retry in %(seconds)s s"),
    _l("give this parameter once"),
    _l("a query parameter is repeated"),
    _l("tiles take no query parameters"),
    _l("not a tile address: /{z}/{x}/{y}.mvt"),
    _l("z must be between 0 and %(max)s"),
    _l("%(name)s must be a non-negative integer"),
    _l("%(name)s must be below 2^z = %(limit)s"),
    _l("more than %(limit)s cells: lower the zoom or shrink the bbox"),
    _l("f must be one of %(choices)s"),
    _l("PDF output is not available on this server (WeasyPrint or Pango missing: %(detail)s); use the page"),
    _l("the request names a host this site does not serve (OBSERVO_TRUSTED_HOSTS)"),
    # not found (no existence leak: the same words for hidden and missing objects)
    _l("no camera %(id)s of %(owner)s"),
    _l("no camera %(id)s"),
    _l("no collection %(id)s: the collection is %(collection)s"),
    _l("no intervention %(id)s"),
    _l("no organisation %(slug)s"),
    _l("no pact %(slug)s of yours"),
    _l("no pact %(slug)s"),
    _l("no place %(id)s"),
    _l("no preservation request %(id)s in intervention %(intervention)s"),
    _l("no token %(id)s"),
    _l("no user %(id)s"),
    _l("no user with e-mail %(email)s"),
    # permissions
    _l("you may read this camera but not change it"),
    _l("you may read this place but not change it"),
    _l("you may not register cameras for %(slug)s"),
    _l("you may not register places for %(slug)s"),
    _l("you may create tokens only for yourself"),
    _l("you may revoke only your own tokens"),
    _l("you cannot deactivate yourself"),
    _l("you cannot demote yourself"),
    _l("only administrators manage organisations, pacts and users"),
    _l("only users of the lead organisation change an intervention"),
    _l("an intervention is led by your own organisation"),
    _l("reading the audit log needs an administrator or an auditor"),
    _l("coverage needs a signed-in user"),
    _l("searching by area needs a signed-in user"),
    _l("fields of view are shown to signed-in users only"),
    _l("filtering by %(parameter)s needs a signed-in user"),
    # versions and conflicts
    _l("camera %(id)s was changed meanwhile"),
    _l("camera %(id)s is at version %(current)s, not %(expected)s"),
    _l("intervention %(id)s was changed meanwhile"),
    _l("intervention %(id)s is at version %(current)s, not %(expected)s"),
    _l("place %(id)s was changed meanwhile"),
    _l("place %(id)s is at version %(current)s, not %(expected)s"),
    _l("request %(id)s was changed meanwhile"),
    _l("request %(id)s is at version %(current)s, not %(expected)s"),
    _l("a user with e-mail %(email)s already exists"),
    _l("organisation %(slug)s already exists"),
    _l("pact %(slug)s already exists"),
    _l("ISTAT code %(code)s already belongs to another organisation"),
    _l("the organisation already has a place named %(name)s"),
    _l("%(email)s already has an active token named %(name)s"),
    _l("%(email)s has no active token named %(name)s"),
    # what a write lacks or breaks
    _l("the camera's attributes are inconsistent"),
    _l("a camera that records needs retention_hours"),
    _l("valid_until is before valid_from"),
    _l("a temporary camera needs valid_until"),
    _l("a camera needs a position"),
    _l("missing"),
    _l("the id is set by the server"),
    _l("%(name)s is set by the server"),
    _l("%(name)s cannot be changed"),
    _l("%(name)s is read-only here"),
    _l("fov is computed unless fov_method is 'drawn'"),
    _l("bearing_deg is required for a camera that does not see all round."),
    _l(
        "A head with hfov_deg %(hfov)s < 360 needs bearing_deg (the centre of its view), or "
        "direction_unknown=true."
    ),
    _l("The field of view must contain or touch the camera; it is %(gap)s m away."),
    _l("A vertex of the field of view is %(reach)s m from the camera; at most %(max)s m is allowed."),
    _l("the user cannot be created"),
    _l("the user cannot be changed"),
    _l("the organisation cannot be created"),
    _l("the organisation cannot be changed"),
    _l("the pact cannot be created"),
    _l("the pact cannot be changed"),
    _l("some fields cannot be changed"),
    _l("not an e-mail address"),
    _l("role must be one of %(roles)s"),
    _l("a token needs a name"),
    _l("bad expiry"),
    _l("1 to %(max)s days"),
    _l("true or false"),
    _l("a non-empty text"),
    _l("at most %(size)s characters"),
    _l("lower-case letters, digits and single hyphens"),
    _l("six digits, e.g. 019036"),
    _l("one of %(choices)s"),
    _l("unknown organisation"),
    _l("unknown pact"),
    _l("an organisation cannot federate under itself"),
    _l("%(slug)s is %(organisation)s or federates under it"),
    _l("a list of at most %(max)s origins"),
    _l("an origin such as https://www.comune.it"),
    _l("0 to 10000 metres"),
    _l("at most %(limit)s metres"),
    _l("near and radius go together"),
    _l("a point or a route needs buffer_m > 0 (the disc's radius, the corridor's half-width)"),
    _l("the area is %(area)s km², more than %(limit)s km²"),
    _l("the place covers %(area)s km², more than %(limit)s km²"),
    _l("the target is %(area)s km², more than %(limit)s km²"),
    _l("a place cannot move to another organisation"),
    _l("the place needs a name"),
    _l("name the organisation the place belongs to"),
    _l("which organisation's place is it?"),
    _l("name the lead organisation"),
    _l("the window ends before it starts"),
    _l("the request names cameras the owner does not have"),
    _l("a reason is required (the case or protocol number)"),
    _l("a reason needs at least %(count)s letters or digits (the case or protocol number)"),
    _l("a reason is at most %(count)s characters"),
    _l("this intervention has no valid reason: set one (PATCH `reason`) before this read"),
    _l("text may not contain NUL (U+0000) characters"),
    # imports (the answer's own detail; a row's problems are in errors[], with the words above)
    _l("every row was refused (%(rows)s rows, %(problems)s problems): nothing was imported"),
    _l(
        "%(problems)s problems in %(rows)s rows: nothing was imported (fix them, or import with "
        "skip_invalid to write the valid rows)"
    ),
    _l("importing cameras needs an editor or an administrator"),
    _l("you may not import cameras for %(slug)s"),
    _l("no import %(id)s"),
    _l("bad import options: %(detail)s"),
    _l("the file is empty"),
    _l("the file has no rows: nothing to import"),
    _l("send multipart/form-data with a `file`, or the file as the body (e.g. text/csv)"),
    _l("a background import runs for a user account: sign in or use a user's token"),
    # geometry
    _l("Invalid geometry: %(reason)s"),
    _l("The geometry has no coordinates."),
    _l("A geometry must be a GeoJSON object."),
    _l("Geometry type must be one of: %(types)s."),
    _l("A geometry needs coordinates."),
    _l("Expected a list of coordinates."),
    _l("A position is a list of 2 or 3 numbers."),
    _l("A coordinate must be a number."),
    _l("Coordinate is far outside the valid range."),
    _l("Coordinates must be finite numbers (no NaN or Infinity)."),
    _l("A line needs at least 2 distinct positions."),
    _l("A ring's last position must equal its first."),
    _l("A polygon of the multipolygon has no rings."),
    # marshmallow's own messages (schemas)
    _l("Missing data for required field."),
    _l("Field may not be null."),
    _l("Invalid value."),
    _l("Unknown field."),
    _l("Invalid input type."),
    _l("Invalid type."),
    _l("Not a valid string."),
    _l("Not a valid integer."),
    _l("Not a valid number."),
    _l("Not a valid boolean."),
    _l("Not a valid email address."),
    _l("Not a valid date."),
    _l("Not a valid datetime."),
    _l("Not a valid list."),
    _l("Not a valid mapping type."),
    _l("Special numeric values (nan or infinity) are not permitted."),
    _l("Must be one of: %(choices)s."),
    _l("Must be greater than or equal to %(min)s and less than or equal to %(max)s."),
    _l("Must be greater than or equal to %(min)s."),
    _l("Must be less than or equal to %(max)s."),
    _l("Must be greater than %(min)s."),
    _l("Must be less than %(max)s."),
    _l("Length must be between %(min)s and %(max)s."),
    _l("Longer than maximum length %(max)s."),
    _l("Shorter than minimum length %(min)s."),
)


@cache
def _index() -> tuple[frozenset[str], tuple[tuple[re.Pattern[str], str], ...]]:
    """Details without placeholders (looked up whole), and patterns for the others: the longest
    fixed text first, so "no camera 5 of 'x'" is not read as camera "5 of 'x'"."""
    exact = frozenset(text for text in DETAILS if not _PLACEHOLDER.search(text))
    patterned = []
    for text in DETAILS:
        parts = _PLACEHOLDER.split(text)  # literal, name, literal, name, ..., literal
        if len(parts) == 1:
            continue
        regex = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>{_FREE if part in _FREE_TEXT else _WORD})"
            for i, part in enumerate(parts)
        )
        fixed = sum(len(part) for part in parts[::2])
        patterned.append((fixed, re.compile(regex, re.S), text))
    patterned.sort(key=lambda item: -item[0])
    return exact, tuple((pattern, text) for _fixed, pattern, text in patterned)


def localise(detail: str) -> str:
    """`detail` in the request's language; unchanged in English, or when it is not in DETAILS."""
    if not detail or str(get_locale() or "en") == "en":
        return detail
    exact, patterned = _index()
    if detail in exact:
        return gettext(detail)
    for pattern, text in patterned:
        if found := pattern.fullmatch(detail):
            return gettext(text, **found.groupdict())
    return detail
