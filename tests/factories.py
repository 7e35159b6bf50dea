"""Test data built through the services, committed so that requests (sibling sessions) see it."""

from __future__ import annotations

import re
from itertools import count
from typing import Any

from shapely.geometry import Point
from sqlalchemy.orm import Session

from observo.domain.permissions import SYSTEM
from observo.models import Camera, Organisation, OwnerAccount, User
from observo.schemas.owner_declaration import OwnerCameraDeclaration as OwnerCameraDeclarationSchema
from observo.services import accounts, organisations, owners
from observo.services.cameras import CameraWrite, create_camera

PASSWORD = "correct horse battery"
# Piazza Castello, Turin: well inside Italy, metres are easy to reason about here.
TURIN = (7.6869, 45.0703)
_serial = count(1)


def org(session: Session, slug: str | None = None, kind: str = "municipality", **kwargs: Any) -> Organisation:
    created = organisations.create_organisation(
        session, slug=slug or f"org-{next(_serial)}", name=(slug or "Org").title(), kind=kind, **kwargs
    )
    session.commit()
    return created


def user(session: Session, organisation: Organisation, role: str = "editor") -> User:
    created = accounts.create_user(
        session,
        email=f"{role}{next(_serial)}@{organisation.slug}.example",
        name=f"{role} of {organisation.slug}",
        org_slug=organisation.slug,
        role=role,
        password=PASSWORD,
    )
    session.commit()
    return created


def token(session: Session, owner: User, name: str = "test", expires_days: int | None = None) -> str:
    clear = accounts.create_token(session, owner, name, expires_days)
    session.commit()
    return clear


def auth(clear_token: str, **headers: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {clear_token}", **headers}


def headers_for(session: Session, organisation: Organisation, role: str = "viewer") -> dict[str, str]:
    """Bearer headers of a new user with `role` in `organisation`."""
    return auth(token(session, user(session, organisation, role)))


def properties(owner: str, /, **overrides: Any) -> dict[str, Any]:
    return {
        "name": f"Camera {next(_serial)}",
        "owner": owner,
        "camera_type": "fixed",
        "bearing_deg": 90.0,
        "range_m": 100.0,
        "retention_hours": 168,
        **overrides,
    }


def feature(owner: str, /, lon: float = TURIN[0], lat: float = TURIN[1], **overrides: Any) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": properties(owner, **overrides),
    }


def camera(
    session: Session, owner: Organisation, lon: float = TURIN[0], lat: float = TURIN[1], **overrides: Any
) -> Camera:
    created = create_camera(
        session, SYSTEM, CameraWrite(Point(lon, lat), properties(owner.slug, **overrides))
    )
    session.commit()
    return created


def csrf_token(client: Any, path: str = "/login") -> str:
    """The CSRF token in a page's form (the sign-in form by default)."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)  # type: ignore[union-attr]


def sign_in(client: Any, user: User) -> None:
    """Sign `user` in through the form, as a browser does (the test client keeps the cookie)."""
    data = {"email": user.email, "password": PASSWORD, "csrf_token": csrf_token(client)}
    assert client.post("/login", data=data).status_code == 302


def owner_account(
    session: Session, municipality: Organisation, name: str = "Farmacia Centrale"
) -> OwnerAccount:
    """A private owner signed up on `municipality`'s page, its e-mail already confirmed."""
    serial = next(_serial)
    signup = owners.SignUp(
        organisation_name=name,
        tax_code="01234567897",
        address="Via Roma 1",
        contact_name="Anna Bianchi",
        phone="011 123 4567",
        pec=f"owner{serial}@pec.example",
        email=f"owner{serial}@{municipality.slug}.example",
        password=PASSWORD,
    )
    account, _ = owners.register(session, municipality, signup)
    owners.verify_email(session, account)
    session.commit()
    return account


def declared_camera(lon: float = TURIN[0], lat: float = TURIN[1], **overrides: Any) -> dict[str, Any]:
    """What an owner declares of a camera, as schemas/owner_declaration.py loads it."""
    return OwnerCameraDeclarationSchema().load(
        {
            "longitude": lon,
            "latitude": lat,
            "name": "Ingresso negozio",
            "camera_type": "fixed",
            "bearing_deg": 90,
            "hfov_deg": 60,
            "range_m": 30,
            "records": True,
            "retention_hours": 72,
            "footage_contact_name": "Anna Bianchi",
            "footage_contact_phone": "011 123 4567",
            "contact_consent": True,
            "police_visibility": "private",
            **overrides,
        }
    )
