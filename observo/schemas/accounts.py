"""Organisations, pacts, users and tokens as the API reads and writes them.

One schema per resource serves both ways: server-set fields are `dump_only`, and sending one in a
write is refused with 422 (`read_only`), as are unknown fields. A `...Patch` schema also marks the
fields that cannot change after creation as read-only.
"""

from __future__ import annotations

from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, pre_load
from marshmallow.validate import Length, OneOf, Range, Regexp

from observo.domain.credentials import MAX_EXPIRY_DAYS, MIN_PASSWORD_LENGTH
from observo.domain.origins import MAX_ORIGINS
from observo.domain.vocabulary import ORGANISATION_KINDS, ROLES
from observo.errors import FieldIssue

SLUG = Regexp(
    r"^[a-z0-9]+(-[a-z0-9]+)*$",
    error="String does not match a slug: lower-case letters, digits, single hyphens",
)
ISTAT = Regexp(r"^\d{6}$", error="an ISTAT code has six digits")


def _text(size: int, **kwargs: Any) -> fields.String:
    return fields.String(validate=Length(max=size), allow_none=True, **kwargs)


class OrganisationSlug(fields.String):
    """An organisation named by its slug: loads the slug, dumps the slug of `obj.<source>`."""

    def __init__(self, source: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.source = source

    def get_value(self, obj: Any, attr: str, accessor: Any = None, default: Any = fields.missing_) -> Any:
        return super().get_value(obj, self.source or attr, accessor, default)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> str | None:
        return None if value is None else value.slug


class OrganisationSlugs(fields.List):
    """A list of organisation slugs; dumps the slugs of the organisations, sorted."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(OrganisationSlug(validate=Length(1, 64)), **kwargs)

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[str] | None:
        slugs = super()._serialize(value, attr, obj, **kwargs)
        return None if slugs is None else sorted(slugs)


class _Resource(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def refuse_read_only(self, data: Any, **kwargs: Any) -> Any:
        if isinstance(data, dict):
            issues = {
                name: [FieldIssue("", "read_only", f"{name} is read-only here")]
                for name in data
                if name in self.fields and self.fields[name].dump_only
            }
            if issues:
                raise ValidationError(issues)  # type: ignore[arg-type]
        return data


class Organisation(_Resource):
    slug = fields.String(required=True, validate=[Length(1, 64), SLUG])
    name = fields.String(required=True, validate=Length(1, 200))
    kind = fields.String(required=True, validate=OneOf(ORGANISATION_KINDS))
    istat_code = fields.String(validate=ISTAT, allow_none=True, metadata={"description": "municipalities"})
    sponsor = OrganisationSlug(
        allow_none=True,
        validate=Length(1, 64),
        metadata={"description": "slug of the municipality a private owner federates with"},
    )
    public_precision_m = fields.Integer(
        strict=True,
        validate=Range(0, 10_000),
        metadata={"description": "cell of the public grid in metres (default 100; 0 = exact)"},
    )
    contact_name = _text(200)
    contact_phone = _text(40)
    contact_email = fields.Email(allow_none=True, validate=Length(max=254))
    contact_pec = fields.Email(allow_none=True, validate=Length(max=254))
    embed_origins = fields.List(
        fields.String(validate=Length(1, 255)),
        allow_none=True,
        validate=Length(max=MAX_ORIGINS),
        metadata={
            "description": "sites that may show its public map in an iframe, e.g. "
            "`https://www.comune.example.it` or `https://*.comune.example.it`; a PATCH replaces the list"
        },
    )
    created_at = fields.AwareDateTime(dump_only=True)


class OrganisationPatch(Organisation):
    """Name, contacts, sponsor, public precision and embed origins change; a new precision re-snaps
    public cameras."""

    class Meta(_Resource.Meta):
        dump_only = ("slug", "kind", "istat_code")


class Pact(_Resource):
    slug = fields.String(required=True, validate=[Length(1, 64), SLUG])
    name = fields.String(required=True, validate=Length(1, 200))
    members = OrganisationSlugs(
        required=True,
        metadata={"description": "organisation slugs; a PATCH replaces the whole list"},
    )
    created_at = fields.AwareDateTime(dump_only=True)


class PactPatch(Pact):
    class Meta(_Resource.Meta):
        dump_only = ("slug",)


class User(_Resource):
    id = fields.Integer(dump_only=True)
    email = fields.Email(required=True, validate=Length(max=254))
    name = fields.String(validate=Length(1, 200), metadata={"description": "default: the e-mail"})
    organization = OrganisationSlug(source="organisation", required=True, validate=Length(1, 64))
    role = fields.String(required=True, validate=OneOf(ROLES))
    active = fields.Boolean(dump_only=True)
    auditor = fields.Boolean(metadata={"description": "reads its organisation's audit log"})
    password = fields.String(
        load_only=True,
        required=True,
        validate=Length(max=1024),
        metadata={"description": f"at least {MIN_PASSWORD_LENGTH} characters; never shown again"},
    )
    created_at = fields.AwareDateTime(dump_only=True)
    last_login_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class UserPatch(User):
    """Deactivating a user (`active: false`) stops its tokens and sessions at once."""

    class Meta(_Resource.Meta):
        dump_only = ("email",)

    active = fields.Boolean()


class Me(User):
    """The signed-in caller, with its organisation's name and kind (what the map UI shows)."""

    organization_name = fields.Function(lambda user: user.organisation.name, metadata={"type": "string"})
    organization_kind = fields.Function(lambda user: user.organisation.kind, metadata={"type": "string"})


class UserListQuery(Schema):
    organization = fields.String(validate=Length(1, 64), metadata={"description": "organisation slug"})
    role = fields.String(validate=OneOf(ROLES))


class Token(_Resource):
    id = fields.Integer(dump_only=True)
    name = fields.String(required=True, validate=Length(1, 100))
    expires_days = fields.Integer(
        load_only=True,
        strict=True,
        allow_none=True,
        validate=Range(1, MAX_EXPIRY_DAYS),
        metadata={"description": "none: never expires"},
    )
    prefix = fields.String(dump_only=True, metadata={"description": "first characters, to recognise it"})
    user = fields.Function(
        lambda token: token.user.email, dump_only=True, metadata={"type": "string", "description": "e-mail"}
    )
    created_at = fields.AwareDateTime(dump_only=True)
    expires_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    revoked_at = fields.AwareDateTime(dump_only=True, allow_none=True)
    last_used_at = fields.AwareDateTime(dump_only=True, allow_none=True)


class NewToken(Token):
    token = fields.String(dump_only=True, metadata={"description": "the token in clear: shown this once"})


class TokenListQuery(Schema):
    user = fields.String(validate=Length(1, 254), metadata={"description": "e-mail (admins)"})
