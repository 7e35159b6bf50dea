"""Class 11c of issue 15: what is typed into the sign-in form's e-mail field is not kept in the audit
log unless it is an account's e-mail.

People type their password in the wrong field. `auth.login_failed` entries are kept for years and
read by auditors: they name the account only when the text is a known user's e-mail, else a fixed
label. Nothing typed is stored anywhere in the entry.
"""

from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from observo.models import AuditEntry
from tests import factories

TYPED_PASSWORDS = [
    "Tr0ub4dor&3",
    "correct horse battery staple",
    "P@ssw0rd!",
    "M@rio.Rossi1985",  # has an @ and a dot: still not an address anyone has
    "giulia@2024.pass",
    "x" * 300,
]



def _fail(client, email: str, password: str = "wrong password!"):
    data = {"email": email, "password": password, "csrf_token": factories.csrf_token(client)}
    return client.post("/login", data=data)


def _failures_after(session, start: int) -> list[AuditEntry]:
    session.expire_all()
    stmt = sa.select(AuditEntry).where(AuditEntry.id > start, AuditEntry.action == "auth.login_failed")
    return list(session.scalars(stmt.order_by(AuditEntry.id)))


def _last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def _stored(entry: AuditEntry) -> str:
    """Every text the entry keeps."""
    values = [entry.actor_label, entry.reason, entry.object_id, entry.details]
    return json.dumps([value for value in values if value is not None], default=str)


@pytest.fixture
def viewer(session):
    return factories.user(session, factories.org(session, "torino"), "viewer")


@pytest.mark.parametrize("typed", TYPED_PASSWORDS, ids=range(len(TYPED_PASSWORDS)))
def test_a_password_typed_as_e_mail_is_not_stored(client, session, viewer, typed):
    start = _last_id(session)
    response = _fail(client, typed, password=viewer.email)  # the fields swapped
    assert response.status_code in (400, 401)  # the form refuses a non-address, or the sign-in fails
    for entry in _failures_after(session, start):
        assert typed.lower() not in _stored(entry).lower()
        assert entry.actor_label in ("invalid e-mail", "unknown e-mail")


def test_a_password_typed_as_e_mail_is_still_logged_as_a_failure(client, session, viewer):
    start = _last_id(session)
    assert _fail(client, "M@rio.Rossi1985").status_code in (400, 401)
    assert _fail(client, "giulia@2024.pass").status_code == 401
    labels = [entry.actor_label for entry in _failures_after(session, start)]
    assert labels[-1] == "unknown e-mail" and set(labels) <= {"invalid e-mail", "unknown e-mail"}


def test_a_known_account_is_named(client, session, viewer):
    start = _last_id(session)
    assert _fail(client, f"  {viewer.email.upper()} ").status_code == 401
    (entry,) = _failures_after(session, start)
    assert entry.actor_label == viewer.email and entry.actor_user_id is None


def test_an_unknown_address_is_not_kept_either(client, session, viewer):
    """It may be a colleague's mistyped address, or a password that looks like one."""
    start = _last_id(session)
    assert _fail(client, "s3cret@passw0rd.it").status_code == 401
    (entry,) = _failures_after(session, start)
    assert entry.actor_label == "unknown e-mail" and "passw0rd" not in _stored(entry)
