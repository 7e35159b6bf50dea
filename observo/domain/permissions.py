"""Who may read or change what: the matrix of docs/architecture.md, "Who sees what", in one place.

Everything here works on plain values (organisation ids, kinds, visibilities), so the same rules
serve the per-object checks and the SQL filter built from `ReadScope`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from observo.domain.vocabulary import STATE_FORCE_KINDS


@dataclass(frozen=True)
class Actor:
    """The caller as the rules see it. `role` is None for an anonymous caller."""

    user_id: int | None = None
    label: str = "anonymous"  # who the audit log names: the user's e-mail, or "system"
    organisation_id: int | None = None
    organisation_kind: str | None = None
    role: str | None = None
    auditor: bool = False  # reads its organisation's audit log
    # organisations whose cameras count as the actor's own: its own and those it sponsors
    own_ids: frozenset[int] = field(default_factory=frozenset)
    # organisations that share their `shared` cameras with the actor (security pacts)
    partner_ids: frozenset[int] = field(default_factory=frozenset)

    @property
    def is_anonymous(self) -> bool:
        return self.role is None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


ANONYMOUS = Actor()
# The command line and the demo seeder act as an administrator the audit log names "system".
SYSTEM = Actor(role="admin", label="system")
PUBLICLY_LISTED_STATUSES = ("active", "faulty", "inactive")


@dataclass(frozen=True)
class ReadScope:
    """Which cameras an actor may read, as sets a query can filter on."""

    everything: bool = False
    all_public: bool = True
    all_shared: bool = False
    any_visibility_of: frozenset[int] = frozenset()
    shared_of: frozenset[int] = frozenset()
    # Anonymous readers see only cameras that exist on the ground: not planned, not removed.
    public_statuses: tuple[str, ...] | None = None

    def allows(self, owner_id: int, visibility: str, status: str) -> bool:
        if self.everything or owner_id in self.any_visibility_of:
            return True
        if visibility == "public":
            return self.all_public and (self.public_statuses is None or status in self.public_statuses)
        if visibility == "shared":
            return self.all_shared or owner_id in self.shared_of
        return False

    def covers(self, other: ReadScope) -> bool:
        """Does this scope read every camera `other` reads, whatever cameras exist?

        Decided on the scopes alone, never on data: figures computed in `other` may be shown to a
        reader of this scope without telling it anything about a camera it cannot read.
        """
        if self.everything:
            return True
        if other.everything or not other.any_visibility_of <= self.any_visibility_of:
            return False
        if other.all_public and not self._reads_all_public_of(other):
            return False
        if other.all_shared:
            return self.all_shared
        return self.all_shared or other.shared_of <= self.shared_of | self.any_visibility_of

    def _reads_all_public_of(self, other: ReadScope) -> bool:
        if not self.all_public:
            return False
        if self.public_statuses is None:
            return True
        return other.public_statuses is not None and set(other.public_statuses) <= set(self.public_statuses)


def read_scope(actor: Actor) -> ReadScope:
    """The cameras `actor` may read. Anonymous callers read public cameras, generalised."""
    if actor.is_admin:
        return ReadScope(everything=True)
    if actor.is_anonymous:
        return ReadScope(public_statuses=PUBLICLY_LISTED_STATUSES)
    return ReadScope(
        all_shared=actor.organisation_kind in STATE_FORCE_KINDS,
        any_visibility_of=actor.own_ids,
        shared_of=actor.partner_ids,
    )


def can_read(actor: Actor, owner_id: int, visibility: str, status: str) -> bool:
    return read_scope(actor).allows(owner_id, visibility, status)


def audience(actor: Actor) -> str:
    """Which output the actor gets: "public" (generalised), "police" (full record) or "admin"
    (full record and who made it). Owner contacts are outside all three (read one camera at a time)."""
    if actor.is_anonymous:
        return "public"
    return "admin" if actor.is_admin else "police"


def sees_full_detail(actor: Actor) -> bool:
    """Anonymous callers get the public, generalised output; everyone signed in gets the full record."""
    return not actor.is_anonymous


def can_write_for(actor: Actor, owner_id: int) -> bool:
    """May `actor` create or change cameras owned by `owner_id`?

    Editors write for their own organisation and the private owners it sponsors; admins for all.
    """
    if actor.is_admin:
        return True
    return actor.role == "editor" and owner_id in actor.own_ids


def can_manage_accounts(actor: Actor) -> bool:
    return actor.is_admin


def can_read_audit(actor: Actor) -> bool:
    """Admins read the whole audit log; an organisation's auditors read what concerns it."""
    return actor.is_admin or (actor.auditor and not actor.is_anonymous)
