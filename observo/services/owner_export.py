"""A municipality's owners, for its staff's records (docs/owners.md, "API and CLI"; `observo owners
export`): the owner organisations it sponsors with their contact data, their accounts (e-mail,
confirmed or not), how many cameras each has in the registry and how many declarations wait.

Personal data: every export is audited (`owners.export`), naming the municipality and the count.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Session

from observo.domain.permissions import Actor
from observo.models import Camera, Organisation, OwnerAccount, OwnerCameraDeclaration
from observo.models.owner import OPEN_STATUSES
from observo.services import audit
from observo.services.owners import OWNER_KIND, signup_municipality

CONTACT_FIELDS = ("tax_code", "address", "contact_name", "contact_phone", "contact_email", "contact_pec")


@dataclass(frozen=True)
class ExportedAccount:
    email: str
    name: str
    verified_at: datetime | None

    @property
    def verified(self) -> bool:
        return self.verified_at is not None


@dataclass(frozen=True)
class ExportedOwner:
    organisation: Organisation
    accounts: list[ExportedAccount]
    approved_cameras: int  # in the registry now (decommissioned ones left out)
    open_declarations: int  # waiting for the police, or sent back for changes


def municipality_owners(session: Session, slug: str) -> tuple[Organisation, list[ExportedOwner]]:
    """The municipality (NotFound unless `slug` names one) and its owners, by name."""
    municipality = signup_municipality(session, slug)
    owners = list(
        session.scalars(
            sa.select(Organisation)
            .where(Organisation.kind == OWNER_KIND, Organisation.sponsor_id == municipality.id)
            .order_by(Organisation.name, Organisation.slug)
        )
    )
    ids = [owner.id for owner in owners]
    accounts: dict[int, list[ExportedAccount]] = {}
    for account in session.scalars(
        sa.select(OwnerAccount).where(OwnerAccount.organisation_id.in_(ids)).order_by(OwnerAccount.email)
    ):
        exported = ExportedAccount(account.email, account.name, account.email_verified_at)
        accounts.setdefault(account.organisation_id, []).append(exported)
    cameras = _counts(
        session, Camera.owner_id, sa.and_(Camera.owner_id.in_(ids), Camera.status != "decommissioned")
    )
    declarations = _counts(
        session,
        OwnerCameraDeclaration.organisation_id,
        sa.and_(
            OwnerCameraDeclaration.organisation_id.in_(ids), OwnerCameraDeclaration.status.in_(OPEN_STATUSES)
        ),
    )
    return municipality, [
        ExportedOwner(
            owner, accounts.get(owner.id, []), cameras.get(owner.id, 0), declarations.get(owner.id, 0)
        )
        for owner in owners
    ]


def record_export(
    session: Session, actor: Actor, municipality: Organisation, owners: list[ExportedOwner], file_format: str
) -> None:
    audit.record(
        session,
        actor,
        "owners.export",
        object_type="organization",
        object_id=municipality.id,
        subject_organisation_id=municipality.id,
        result_count=len(owners),
        details={"municipality": municipality.slug, "format": file_format},
    )


def _counts(session: Session, key: sa.ColumnElement[int], where: sa.ColumnElement[bool]) -> dict[int, int]:
    stmt = sa.select(key, sa.func.count()).where(where).group_by(key)
    return {owner_id: count for owner_id, count in session.execute(stmt)}
