"""Organisations as the API shows them."""

from __future__ import annotations

from marshmallow import Schema, fields


class OrganisationOut(Schema):
    slug = fields.String()
    name = fields.String()
    kind = fields.String()
    istat_code = fields.String(allow_none=True)
    public_precision_m = fields.Integer()
    sponsor = fields.Function(
        lambda org: org.sponsor.slug if org.sponsor else None,
        metadata={
            "type": "string",
            "nullable": True,
            "description": "municipality a private owner federates with",
        },
    )
