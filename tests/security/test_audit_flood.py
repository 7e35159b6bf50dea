"""Issue 15, class 10: a flood of random tokens cannot fill the five-year audit log.

Every random token is a new caller for the API quota, so refused credentials are limited per client
address too (`ratelimit_auth_failed`), and an address's refusals are logged once per window with a
count: the first in full, the others as one `auth.rejected.repeated` entry whose `result_count`
says how many. Nothing is lost: the entries' counts add up to the 401s served.
"""

from __future__ import annotations

import secrets
from collections import Counter
from datetime import timedelta

import sqlalchemy as sa

from observo.cli import main
from observo.models import AuditEntry
from observo.models.audit import RefusalCount
from observo.models.base import utcnow
from observo.services.audit_refusals import window_start
from tests import factories

URL = "/api/v1/cameras/1/history"
FLOOD = 500


def random_token() -> dict[str, str]:
    return {"Authorization": f"Bearer obs_{secrets.token_urlsafe(24)}"}


def last_id(session) -> int:
    return session.scalar(sa.select(sa.func.coalesce(sa.func.max(AuditEntry.id), 0)))


def entries_after(session, start: int) -> list[AuditEntry]:
    session.expire_all()
    return list(session.scalars(sa.select(AuditEntry).where(AuditEntry.id > start).order_by(AuditEntry.id)))


def refusals_logged(entries: list[AuditEntry]) -> int:
    """Refusals the entries account for: one per entry in full, `result_count` per summary."""
    full = sum(1 for entry in entries if entry.action == "auth.rejected")
    return full + sum(entry.result_count for entry in entries if entry.action == "auth.rejected.repeated")


def flush(app) -> str:
    result = app.test_cli_runner().invoke(main, ["audit", "flush"])
    assert result.exit_code == 0, result.output
    return result.stdout


def test_a_flood_of_random_tokens_is_throttled_per_address_and_logged_as_counts(app, client, session):
    start = last_id(session)
    statuses: Counter[int] = Counter()
    first_throttled = None
    for number in range(FLOOD):
        response = client.get(URL, headers=random_token())
        statuses[response.status_code] += 1
        if response.status_code == 429 and first_throttled is None:
            first_throttled = (number, response)
    # The default "30 per minute;300 per hour": the 31st refused token from this address is turned away.
    assert first_throttled is not None and first_throttled[0] == 30
    throttled = first_throttled[1]
    assert int(throttled.headers["Retry-After"]) >= 1
    assert throttled.mimetype == "application/problem+json" and throttled.json["code"] == "rate_limited"
    assert set(statuses) == {401, 429} and statuses[401] >= 30
    logged = entries_after(session, start)
    assert len(logged) <= 2  # the window's first refusal (and a summary, had an hour turned meanwhile)
    first = logged[0]
    assert (first.action, first.source_ip, first.actor_user_id) == ("auth.rejected", "127.0.0.1", None)
    assert first.actor_label.startswith("token obs_")
    # The later refusals wait as a count; `observo audit flush` logs it (cron does it every hour).
    assert f"{statuses[401] - len(logged)} counted refusals logged" in flush(app)
    logged = entries_after(session, start)
    summary = logged[-1]
    assert summary.action == "auth.rejected.repeated" and summary.source_ip == "127.0.0.1"
    assert summary.actor_label == "address 127.0.0.1"
    assert refusals_logged(logged) == statuses[401]  # every 401 accounted for
    assert len(logged) < 5
    assert session.scalar(sa.select(sa.func.count()).select_from(RefusalCount)) == 0


def test_counts_survive_a_flush_in_the_middle_of_a_window(app, client, session, configure):
    configure(ratelimit_auth_failed="100 per minute")
    start = last_id(session)
    for _ in range(10):
        assert client.get(URL, headers=random_token()).status_code == 401
    flush(app)
    for _ in range(10):
        assert client.get(URL, headers=random_token()).status_code == 401
    flush(app)
    logged = entries_after(session, start)
    assert [(entry.action, entry.result_count) for entry in logged] == [
        ("auth.rejected", None),
        ("auth.rejected.repeated", 9),
        ("auth.rejected", None),  # the flush closed the window: the next refusal opens one, in full
        ("auth.rejected.repeated", 9),
    ]
    assert refusals_logged(logged) == 20


def test_a_closed_window_is_summarised_at_the_next_refusal(client, session):
    earlier = window_start(utcnow()) - timedelta(hours=2)
    session.add(
        RefusalCount(
            action="auth.rejected", address="198.51.100.7", window_start=earlier, count=7, last_at=earlier
        )
    )
    session.commit()
    start = last_id(session)
    assert client.get(URL, headers=random_token()).status_code == 401
    logged = entries_after(session, start)
    assert [(entry.action, entry.source_ip, entry.result_count) for entry in logged] == [
        ("auth.rejected.repeated", "198.51.100.7", 7),
        ("auth.rejected", "127.0.0.1", None),
    ]
    assert logged[0].details.startswith('{"last_at":') and earlier.isoformat() in logged[0].details
    assert session.scalar(sa.select(RefusalCount.address)) == "127.0.0.1"  # the old row is gone


def test_valid_tokens_and_requests_without_credentials_do_not_spend_the_quota(client, session, configure):
    configure(ratelimit_auth_failed="5 per minute")
    town = factories.org(session, "flood-town")
    headers = factories.headers_for(session, town)
    for _ in range(20):
        assert client.get("/api/v1/cameras", headers=headers).status_code == 200
        assert client.get(URL).status_code == 401  # no credentials: not this quota, and not logged
    for _ in range(5):
        assert client.get(URL, headers=random_token()).status_code == 401
    assert client.get(URL, headers=random_token()).status_code == 429
    # A colleague behind the same address, with a valid token, is not locked out by the flood.
    assert client.get("/api/v1/cameras", headers=headers).status_code == 200
    assert client.get(URL, headers=random_token()).status_code == 429


def test_an_identified_callers_refusals_are_each_logged(client, session):
    """A signed-in caller's 403s name the caller and its own quota bounds them: no aggregation."""
    town = factories.org(session, "closed-town")
    headers = factories.headers_for(session, town, "viewer")
    start = last_id(session)
    for _ in range(3):
        assert client.get("/api/v1/audit", headers=headers).status_code == 403
    logged = entries_after(session, start)
    assert [entry.action for entry in logged] == ["auth.denied"] * 3
    assert all(entry.actor_user_id is not None for entry in logged)
