"""Database models: staff, candidates, cases, consent, links, sessions, audit and outbox."""

from __future__ import annotations

import datetime as dt
import os
from typing import Any

import sqlalchemy as sa
from flask import current_app
from flask_login import UserMixin
from sqlalchemy.ext.mutable import MutableDict
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from . import crypto
from .columns import UTCDateTime, new_id, utcnow  # noqa: F401 - read from models by many modules
from .extensions import Model
from .keystore import KeyShare, store_share
from .lifecycle import (  # noqa: F401 - the states are read from models by many modules
    AWAITING_CONSENT,
    CANCELLED,
    CANDIDATE_REVIEW,
    CASE_STATES,
    CLOSED_STATES,
    COLLECTING,
    DECLINED,
    DRAFT,
    NOMINATING,
    RELEASED,
    REVIEW,
    WITHDRAWN,
)
from .stats import STAGES, stage_durations
from .text import search_key

# Verification staff work cases; the hiring side's people (clients) follow their organisation's.
STAFF_ROLES = ("admin", "verifier")
CLIENT = "client"
ROLES = (*STAFF_ROLES, CLIENT)


# Byte order on every backend, so a prefix is a range an ordinary index serves.
SEARCH_KEY = sa.String(200).with_variant(sa.String(200, collation="C"), "postgresql")


class Organisation(Model):
    """A hiring client of the service: its cases, packages and people belong to it."""

    __tablename__ = "organisation"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    # The name case-folded: two spellings of one name are one organisation.
    name_key: Mapped[str] = mapped_column(SEARCH_KEY, unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    @validates("name")
    def _keep_name_key(self, _name: str, value: str) -> str:
        """Keep the folded copy of the name in step with it."""
        self.name_key = search_key(value or "")
        return value


class Package(Model):
    """A scope an organisation orders checks with: what is checked, how, and what the candidate reads."""

    __tablename__ = "package"
    __table_args__ = (sa.UniqueConstraint("organisation_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"))
    name: Mapped[str] = mapped_column(sa.String(120))
    # Why the check is done, in the words the candidate reads; the order may reword it.
    purpose: Mapped[str] = mapped_column(sa.Text)
    scope: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    # A package no longer offered stays for the cases ordered with it.
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship()


# Which organisations' cases a verifier works on, unless they work on every organisation's.
staff_organisation = sa.Table(
    "staff_organisation", Model.metadata,
    sa.Column("staff_user_id", sa.ForeignKey("staff_user.id"), primary_key=True),
    sa.Column("organisation_id", sa.ForeignKey("organisation.id"), primary_key=True, index=True),
)


class StaffUser(UserMixin, Model):
    """Someone who signs in with email and password: verification staff, or a client of one organisation."""

    __tablename__ = "staff_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(sa.String(254), unique=True)
    name: Mapped[str] = mapped_column(sa.String(120))
    password_hash: Mapped[str] = mapped_column(sa.String(255))
    role: Mapped[str] = mapped_column(sa.String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # A client belongs to one organisation; staff to none.
    organisation_id: Mapped[int | None] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # A client who may invite colleagues of their own organisation.
    org_admin: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    # A verifier who works on every organisation's cases, not only the ones assigned to them.
    all_organisations: Mapped[bool] = mapped_column(default=False, server_default=sa.false())

    organisation: Mapped[Organisation | None] = relationship()
    assigned: Mapped[list[Organisation]] = relationship(secondary=staff_organisation,
                                                        order_by=Organisation.name)

    # Local mode offers a second factor once; "Not now" is kept here so the offer does not nag.
    two_factor_declined_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    @property
    def is_active(self) -> bool:
        """Let Flask-Login refuse disabled accounts."""
        return self.active

    @property
    def is_admin(self) -> bool:
        """Say whether this person may manage staff accounts."""
        return self.role == "admin"

    @property
    def is_client(self) -> bool:
        """Say whether this person is on the hiring side."""
        return self.role == CLIENT

    @property
    def sees_every_organisation(self) -> bool:
        """Say whether this person works on every organisation's cases."""
        return self.role == "admin" or (self.role == "verifier" and self.all_organisations)


class AccountToken(Model):
    """A one-time emailed link that lets an invited person choose their password; only its SHA-256 is kept."""

    __tablename__ = "account_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    # Set when the link is used: it never works twice.
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    staff_user: Mapped[StaffUser] = relationship()


class DataKey(Model):
    """A per-case data key, stored only wrapped by a master key version and its key-store share."""

    __tablename__ = "data_key"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)
    master_version: Mapped[int] = mapped_column(index=True)
    # None once destroyed: everything the key sealed is then unreadable.
    wrapped: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # True when the wrapping also needs the share in the key store (every key made since it exists).
    split: Mapped[bool] = mapped_column(default=False, server_default=sa.false())
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    destroyed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    # Another database: no foreign key, and loaded with its keys in one query per batch. Shares
    # are written and deleted only through refcheck.keystore, in transactions of their own.
    share: Mapped[KeyShare | None] = relationship(
        primaryjoin="foreign(KeyShare.id) == DataKey.id", lazy="selectin", uselist=False, viewonly=True,
    )

    @classmethod
    def generate(cls) -> DataKey:
        """Create a new data key wrapped by the newest master key and a fresh, already stored share."""
        key_id, key = crypto.new_data_key()
        share = store_share(key_id)
        version, wrapped = fresh_keyring().wrap(key, key_id, share)
        data_key = cls(id=key_id, master_version=version, wrapped=wrapped, split=True)
        data_key._new_share = share
        return data_key

    def _share_bytes(self) -> bytes | None:
        """Return this key's share: just made in this process, or loaded from the key store."""
        fresh = getattr(self, "_new_share", None)
        if fresh is not None:
            return fresh
        return self.share.share if self.share is not None else None

    def plaintext_key(self) -> bytes:
        """Unwrap this key for one use; it is never stored unwrapped."""
        if self.wrapped is None:
            raise crypto.KeyDestroyed(f"data key {self.id} was destroyed")
        share = None
        if self.split:
            share = self._share_bytes()
            if share is None:
                raise crypto.KeyDestroyed(f"data key {self.id} has no share in the key store: erased")
        try:
            return keyring().unwrap(self.master_version, self.wrapped, self.id, share)
        except crypto.MasterKeyMissing:
            # `keys rotate` may have added a version to the keys file since this process started.
            return reload_keyring().unwrap(self.master_version, self.wrapped, self.id, share)

    def rewrap(self, version: int | None = None) -> None:
        """Wrap this key again under a master key version (the newest by default), splitting it if needed."""
        key = self.plaintext_key()
        share = self._share_bytes() if self.split else None
        if share is None:
            # Stored first: until the main database commits, the old wrapping still opens the key.
            share = store_share(self.id)
            self._new_share = share
        self.master_version, self.wrapped = keyring().wrap(key, self.id, share, version)
        self.split = True


def keyring() -> crypto.KeyRing:
    """Return the application's key ring."""
    return current_app.extensions["refcheck.keyring"]


def reload_keyring() -> crypto.KeyRing:
    """Read the key ring again from the configuration, for keys added while the app runs."""
    ring = crypto.KeyRing.from_config(current_app.config)
    current_app.extensions["refcheck.keyring"] = ring
    current_app.extensions["refcheck.keyring_stamp"] = keys_file_stamp()
    return ring


def fresh_keyring() -> crypto.KeyRing:
    """Return the key ring, read again first if the keys file changed, so new keys use the newest version."""
    if keys_file_stamp() != current_app.extensions.get("refcheck.keyring_stamp"):
        return reload_keyring()
    return keyring()


def keys_file_stamp() -> tuple[int, int] | None:
    """Return the keys file's modification time and size, or None when keys come from elsewhere."""
    path = current_app.config.get("KEYS_FILE")
    if not path:
        return None
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_mtime_ns, info.st_size


def seal_value(key: DataKey, place: str, value: Any) -> bytes:
    """Seal one value under a data key for a place ("table/row/column"); the row needs its id."""
    if "/None/" in place:
        raise crypto.CryptoError("a row needs its id before a value can be sealed into it")
    return crypto.seal(key.plaintext_key(), key.id, place, value)


def seal_open(key: DataKey, place: str, blob: bytes) -> Any:
    """Open a value sealed for a place; raise crypto.CryptoError if it was moved or altered."""
    return crypto.open_sealed(key.plaintext_key(), key.id, place, blob)


class Sealed:
    """Mixin for rows whose personal data is sealed under a data key."""

    __tablename__: str
    id: Mapped[str]
    # Every row of a case is sealed under the case's one key. Queries for a case's rows load no key:
    # the first row to unseal loads it and the rest find it in the session, where an eager load in
    # each query would ask for it again.
    data_key: Mapped[DataKey]

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("id", new_id())
        super().__init__(**kwargs)

    def seal(self, column: str, value: Any) -> None:
        """Encrypt a value into `column`, bound to this table, row and column."""
        if value is None:
            setattr(self, column, None)
            return
        key = self.data_key
        setattr(self, column, crypto.seal(key.plaintext_key(), key.id, self._place(column), value))

    def unseal(self, column: str) -> Any:
        """Decrypt `column`; raise crypto.CryptoError if the value was moved or altered."""
        blob = getattr(self, column)
        if blob is None:
            return None
        key = self.data_key
        return crypto.open_sealed(key.plaintext_key(), key.id, self._place(column), blob)

    def _place(self, column: str) -> str:
        """Name the place a sealed value belongs to."""
        if not self.id:
            raise crypto.CryptoError("a row needs its id before a value can be sealed into it")
        return f"{self.__tablename__}/{self.id}/{column}"


class Candidate(Sealed, Model):
    """The person a case is about, as known in that case; name and email are sealed."""

    __tablename__ = "candidate"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    name_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    email_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # Keyed hash of the normalised email: finds a person's cases without decrypting.
    email_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    data_key: Mapped[DataKey] = relationship()
    # The language their pages and emails are written in (refcheck.i18n): staff choose it, they may change it.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")

    @property
    def name(self) -> str:
        """Return the decrypted full name."""
        return self.unseal("name_enc")

    @property
    def email(self) -> str:
        """Return the decrypted email address."""
        return self.unseal("email_enc")


class Case(Model):
    """One verification of one candidate for one position."""

    __tablename__ = "case"
    __table_args__ = (
        # The case list pages newest first by (created_at, id); holding the id in the index lets a
        # deep page skip the cases before it without reading their rows.
        sa.Index("ix_case_created_id", "created_at", "id"),
        sa.Index("ix_case_state_created", "state", "created_at", "id"),
        # Counting cases by state reads this narrow index alone, a third the size of the others.
        sa.Index("ix_case_state", "state"),
        # The metrics filter by the period a case was opened in, and by hiring organisation; the
        # period's index also holds the stage seconds they sum, so summing reads no case rows.
        sa.Index("ix_case_created_pace", "created_at", "state", "seconds_awaiting_consent",
                 "seconds_nominating", "seconds_collecting", "seconds_review", "seconds_candidate_review",
                 "seconds_to_release"),
        sa.Index("ix_case_organisation_created", "hiring_organisation", "created_at"),
        # The API finds a check by the hiring system's own reference, within one organisation.
        sa.Index("ix_case_client_reference", "organisation_id", "client_reference"),
        # ... and lists an organisation's checks newest first, a page at a time after a cursor.
        sa.Index("ix_case_organisation_listed", "organisation_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    candidate_id: Mapped[str] = mapped_column(sa.ForeignKey("candidate.id"), index=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    position: Mapped[str] = mapped_column(sa.String(200))
    # Who ordered the check: who may see the case follows it.
    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), index=True)
    # The package it was ordered with, if any.
    package_id: Mapped[int | None] = mapped_column(sa.ForeignKey("package.id"))
    # The organisation's name as the candidate read it when asked to consent; kept as it was then.
    hiring_organisation: Mapped[str] = mapped_column(sa.String(200))
    # Case-folded copies for staff search by how a name starts: compared as ranges on byte order,
    # which an index serves on every backend (LIKE and ILIKE do not, on PostgreSQL or with lower()).
    position_key: Mapped[str] = mapped_column(SEARCH_KEY, index=True, server_default="")
    organisation_key: Mapped[str] = mapped_column(SEARCH_KEY, index=True, server_default="")
    purpose: Mapped[str] = mapped_column(sa.Text)
    # The scope staff propose; the consent row freezes the copy the candidate agreed to.
    scope: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    state: Mapped[str] = mapped_column(sa.String(20), default=DRAFT)
    # Who opened the case: a member of staff or a client; a hiring system's key leaves it empty.
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    # The hiring system's key that ordered the check through the API, and the system's own reference.
    api_key_id: Mapped[int | None] = mapped_column(sa.ForeignKey("api_key.id"))
    client_reference: Mapped[str | None] = mapped_column(sa.String(100))
    # The verifier the candidate sees named as their contact; whoever opened the case until set.
    contact_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    state_changed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # state -> ISO time the case entered it; feeds the timeline and stage metrics.
    # Tracked as it changes in place too, so the seconds below never follow a change left unsaved.
    stage_times: Mapped[dict[str, str]] = mapped_column(MutableDict.as_mutable(sa.JSON), default=dict)
    invited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    consent_decided_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    due_date: Mapped[dt.date | None] = mapped_column(sa.Date)
    # When the candidate's replies to the findings are due.
    reply_due_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Staff's plain-words explanation of a delay (or a cancellation), shown on the candidate's
    # timeline; sealed, since it may describe people. Read and written through `delay_reason`.
    delay_reason_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # Written in clear before migration 0010; read as a fallback and cleared on the next change.
    delay_reason_clear: Mapped[str | None] = mapped_column("delay_reason", sa.Text)
    # Set when the case ends: the consented retention runs from then, and the case is erased after it.
    erase_after: Mapped[dt.datetime | None] = mapped_column(UTCDateTime, index=True)
    # Seconds spent in each finished stage, and from opening to release: copies of what stage_times
    # says, kept in step at every flush (below), so the metrics sum plain integers in SQL rather
    # than read and parse every case's times.
    seconds_awaiting_consent: Mapped[int | None] = mapped_column(sa.Integer)
    seconds_nominating: Mapped[int | None] = mapped_column(sa.Integer)
    seconds_collecting: Mapped[int | None] = mapped_column(sa.Integer)
    seconds_review: Mapped[int | None] = mapped_column(sa.Integer)
    seconds_candidate_review: Mapped[int | None] = mapped_column(sa.Integer)
    seconds_to_release: Mapped[int | None] = mapped_column(sa.Integer)

    candidate: Mapped[Candidate] = relationship()
    organisation: Mapped[Organisation] = relationship()
    package: Mapped[Package | None] = relationship()
    data_key: Mapped[DataKey] = relationship()
    created_by: Mapped[StaffUser | None] = relationship(foreign_keys=[created_by_id])
    named_contact: Mapped[StaffUser | None] = relationship(foreign_keys=[contact_id])
    consents: Mapped[list[Consent]] = relationship(
        back_populates="case", order_by="Consent.decided_at"
    )

    @property
    def reference(self) -> str:
        """Return the reference people quote for this case."""
        return f"RC-{self.id:05d}"

    @validates("position", "hiring_organisation")
    def _keep_search_keys(self, name: str, value: str) -> str:
        """Keep the search copy of the position or organisation in step with it."""
        setattr(self, "position_key" if name == "position" else "organisation_key", search_key(value or ""))
        return value

    @property
    def delay_reason(self) -> str | None:
        """Return staff's explanation of a delay or cancellation, decrypted."""
        if self.delay_reason_enc is not None:
            return seal_open(self.data_key, f"case/{self.id}/delay_reason_enc", self.delay_reason_enc)
        return self.delay_reason_clear

    @delay_reason.setter
    def delay_reason(self, value: str | None) -> None:
        """Seal staff's explanation under the case's key; None clears it."""
        self.delay_reason_clear = None
        self.delay_reason_enc = (None if value is None else
                                 seal_value(self.data_key, f"case/{self.id}/delay_reason_enc", value))

    @property
    def contact(self) -> StaffUser:
        """Return the verifier the candidate may ask: the named contact, else whoever opened the case.

        Someone whose account was disabled has left, and a client who ordered the check is not the
        candidate's contact: the longest-serving active admin stands in until staff name someone.
        """
        for person in (self.named_contact, self.created_by):
            if person is not None and person.active and person.role in STAFF_ROLES:
                return person
        session = sa.orm.object_session(self)
        stand_in = session.execute(
            sa.select(StaffUser).where(StaffUser.active.is_(True), StaffUser.role == "admin")
            .order_by(StaffUser.id).limit(1)).scalar_one_or_none() if session is not None else None
        fallback = stand_in or self.created_by
        if fallback is None:
            raise RuntimeError("a case needs a member of staff as the candidate's contact: create an admin")
        return fallback

    @property
    def is_closed(self) -> bool:
        """Say whether the case has ended, one way or another."""
        return self.state in CLOSED_STATES

    @property
    def consent(self) -> Consent | None:
        """Return the latest consent decision, if the candidate has made one."""
        return self.consents[-1] if self.consents else None


@sa.event.listens_for(Case, "before_insert")
@sa.event.listens_for(Case, "before_update")
def _keep_stage_seconds(_mapper: Any, _connection: Any, case: Case) -> None:
    """Derive the seconds spent in each stage from stage_times, whoever changed the case."""
    spent = stage_durations(case.stage_times or {})
    for stage in STAGES:
        value = spent.get(stage)
        setattr(case, f"seconds_{stage}", None if value is None else round(value))
    # On insert the time columns' defaults are not filled in yet: the times entered say the same.
    times = case.stage_times or {}
    opened = case.created_at or _when(times.get(DRAFT))
    released = case.state_changed_at or _when(times.get(RELEASED))
    case.seconds_to_release = (max(0, round((released - opened).total_seconds()))
                               if case.state == RELEASED and opened and released else None)


class CaseCount(Model):
    """How many cases an organisation has in a state: kept with each change (case_counts), read by the list.

    Counting a million cases by state took 84 ms on PostgreSQL, and the list counted them again
    after every recorded change; these rows are a few per organisation.
    """

    __tablename__ = "case_count"

    organisation_id: Mapped[int] = mapped_column(sa.ForeignKey("organisation.id"), primary_key=True)
    state: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


def _when(iso: str | None) -> dt.datetime | None:
    """Read a time from stage_times."""
    return dt.datetime.fromisoformat(iso) if iso else None


class Consent(Sealed, Model):
    """The candidate's decision on one frozen scope; its id is the receipt id."""

    __tablename__ = "consent"
    __table_args__ = (
        # The metrics list the newest candidates' declines; only declined rows are indexed.
        sa.Index("ix_consent_declined", "decided_at", sqlite_where=sa.text("decision = 'declined'"),
                 postgresql_where=sa.text("decision = 'declined'")),
        # One live decision per case, kept by the database too: a twin a missed lock let through fails.
        sa.Index("uq_consent_live", "case_id", unique=True, sqlite_where=sa.text("withdrawn_at IS NULL"),
                 postgresql_where=sa.text("withdrawn_at IS NULL")),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    decision: Mapped[str] = mapped_column(sa.String(10))  # granted | declined
    scope: Mapped[dict[str, Any]] = mapped_column(sa.JSON)
    scope_sha256: Mapped[str] = mapped_column(sa.String(64))
    disclosure_version: Mapped[str] = mapped_column(sa.String(20))
    # The language the candidate read the scope and decided in, stated on the receipt and in the export.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    signature_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    ip_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    user_agent_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    decline_reason_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    decided_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    withdrawal_reason_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)

    case: Mapped[Case] = relationship(back_populates="consents")
    data_key: Mapped[DataKey] = relationship()


class AccessLink(Model):
    """A single-purpose emailed link; only the SHA-256 of its token is stored."""

    __tablename__ = "access_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    purpose: Mapped[str] = mapped_column(sa.String(20))  # candidate | referee
    referee_id: Mapped[str | None] = mapped_column(sa.ForeignKey("referee.id"), index=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship()


class PortalSession(Model):
    """A server-side record of a signed-in session, so log-out and revocation are real."""

    __tablename__ = "portal_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(sa.String(64), unique=True)
    kind: Mapped[str] = mapped_column(sa.String(20))  # staff | candidate | referee
    staff_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id"), index=True)
    referee_id: Mapped[str | None] = mapped_column(sa.ForeignKey("referee.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # Staff sessions: "Firefox on Linux", read once from the User-Agent at sign-in so the person can
    # tell their sessions apart. The raw header and the address are not kept: they are not needed.
    device: Mapped[str | None] = mapped_column(sa.String(80))
    # When this staff session last confirmed the second factor (or, without one, the password).
    stepped_up_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    staff_user: Mapped[StaffUser | None] = relationship()
    case: Mapped[Case | None] = relationship()
    referee: Mapped[Referee | None] = relationship()


class SignInFailures(Model):
    """Recent failed sign-ins for one account or one client address, which set how long the next waits.

    Keyed by a keyed hash of the folded email or of the address, so the table holds neither, and an
    email that matches no account is counted just like one that does.
    """

    __tablename__ = "sign_in_failures"

    key: Mapped[str] = mapped_column(sa.String(80), primary_key=True)  # "account:<hash>" | "address:<hash>"
    failures: Mapped[int] = mapped_column(default=0)
    last_failed_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, index=True)
    wait_until: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class TwoFactor(Sealed, Model):
    """A staff member's authenticator app: its TOTP secret sealed under a key of its own."""

    __tablename__ = "two_factor"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    staff_user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    secret_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # None while being set up: the factor counts only once a code from the app has been typed.
    confirmed_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # The newest time step accepted: a code for it or an earlier one is refused (no replay).
    last_step: Mapped[int | None] = mapped_column(sa.BigInteger)

    data_key: Mapped[DataKey] = relationship()


class RecoveryCode(Model):
    """One single-use recovery code of a staff member, stored only as a keyed hash."""

    __tablename__ = "recovery_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    code_hash: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class Passkey(Model):
    """A passkey (WebAuthn credential) a staff member may use instead of an app code at the second step.

    Only public material is kept: the credential's id and public key, and the authenticator's counter.
    """

    __tablename__ = "passkey"

    id: Mapped[int] = mapped_column(primary_key=True)
    staff_user_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"), index=True)
    credential_id: Mapped[bytes] = mapped_column(sa.LargeBinary, unique=True)
    public_key: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # The authenticator's own use counter: one that goes backwards means a copied credential.
    sign_count: Mapped[int] = mapped_column(sa.BigInteger, default=0)
    name: Mapped[str] = mapped_column(sa.String(80))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)


class AuditEvent(Model):
    """One append-only, hash-chained record of something that happened."""

    __tablename__ = "audit_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor: Mapped[str] = mapped_column(sa.String(80))
    # No foreign key: the record of a case outlives the case's erasure.
    case_id: Mapped[int | None] = mapped_column(index=True)
    action: Mapped[str] = mapped_column(sa.String(80))
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(sa.String(64))
    hash: Mapped[str] = mapped_column(sa.String(64), unique=True)


class OutboxMessage(Sealed, Model):
    """An email waiting to be sent; recipient and body are sealed until delivery."""

    __tablename__ = "outbox"
    __table_args__ = (sa.Index("ix_outbox_pending", "sent_at", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(40))
    # Subjects are fixed texts chosen by kind, never typed by a person.
    subject: Mapped[str] = mapped_column(sa.String(200))
    recipient_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    body_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(sa.String(200))
    sent_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    data_key: Mapped[DataKey] = relationship()


# Referee states, in lifecycle order.
# "closed": review started before they answered; "withdrawn": they took their answers back.
REFEREE_STATES = ("nominated", "invited", "opened", "submitted", "declined", "expired", "revoked", "closed",
                  "withdrawn")
REFEREE_ACTIVE = ("nominated", "invited", "opened", "submitted")
# Asked and not yet answered: the requests a stopped case or the start of review closes.
REFEREE_WAITING = ("nominated", "invited", "opened")
_ACTIVE = "state IN ('nominated', 'invited', 'opened', 'submitted')"
RELATIONSHIP_KEYS = ("manager", "peer", "direct_report", "client", "other")


class Referee(Sealed, Model):
    """A person the candidate named; contact details and period are sealed as one record."""

    __tablename__ = "referee"
    # A case's referees by state; with the times and reminders the metrics count, read from the index.
    __table_args__ = (
        sa.Index("ix_referee_case_progress", "case_id", "state", "invited_at", "finished_at",
                 "reminders_sent"),
        # The metrics list the newest declines; only the few declined rows are indexed.
        sa.Index("ix_referee_declined", "finished_at", sqlite_where=sa.text("state = 'declined'"),
                 postgresql_where=sa.text("state = 'declined'")),
        # One active referee per address in a case, kept by the database too.
        sa.Index("uq_referee_live_email", "case_id", "email_hash", unique=True,
                 sqlite_where=sa.text(_ACTIVE), postgresql_where=sa.text(_ACTIVE)),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"))
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    relationship: Mapped[str] = mapped_column(sa.String(20))
    # name, email, organisation, job_title, worked_from, worked_to
    details_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    email_hash: Mapped[str] = mapped_column(sa.String(64), index=True)
    state: Mapped[str] = mapped_column(sa.String(20), default="nominated")
    nominated_by: Mapped[str] = mapped_column(sa.String(20), default="candidate")  # or staff
    # Shown to the candidate and in the invitation, so the referee can trust the email.
    verification_code: Mapped[str] = mapped_column(sa.String(12))
    nominated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    invited_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    opened_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    attested_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    reminders_sent: Mapped[int] = mapped_column(default=0)
    last_reminder_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    decline_reason_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    call_requested: Mapped[bool] = mapped_column(default=False)
    # The language of their pages and emails; the candidate's at nomination, theirs to change.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")

    # The column is called "relationship", which hides the ORM function in this class body.
    case: Mapped[Case] = sa.orm.relationship()
    data_key: Mapped[DataKey] = sa.orm.relationship()

    @property
    def details(self) -> dict[str, str]:
        """Return the decrypted contact details and period."""
        return self.unseal("details_enc")


class Claim(Sealed, Model):
    """The candidate's own statement of the facts for one position."""

    __tablename__ = "claim"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    # employer, title, start_month, end_month, reason_for_leaving, responsibilities
    facts_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    data_key: Mapped[DataKey] = relationship()

    @property
    def facts(self) -> dict[str, str]:
        """Return the decrypted facts."""
        return self.unseal("facts_enc")


QUESTION_KINDS = ("rating", "yes_no", "choice", "month_range", "text")
FACT_KEYS = ("employer", "title", "start_month", "end_month", "reason_for_leaving", "rehire_eligible",
             "relationship", "worked_together_from", "worked_together_to")


class QuestionSet(Model):
    """A versioned questionnaire for one relationship; immutable once published."""

    __tablename__ = "question_set"
    __table_args__ = (sa.UniqueConstraint("key", "version", "relationship", "language",
                                          name="uq_question_set_key_version_relationship_language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    # The scope names "key-vVERSION"; each relationship may have its own set in that family.
    key: Mapped[str] = mapped_column(sa.String(40))
    version: Mapped[int] = mapped_column(default=1)
    relationship: Mapped[str | None] = mapped_column(sa.String(20))
    title: Mapped[str] = mapped_column(sa.String(200))
    state: Mapped[str] = mapped_column(sa.String(20), default="draft")  # draft | published
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    published_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    # A translation is the same questions in another language, position for position: referees who
    # read that language see its words, and their answers are kept against the source set's questions.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    translation_of_id: Mapped[int | None] = mapped_column(sa.ForeignKey("question_set.id"), index=True)

    # sa.orm.relationship: the "relationship" column hides the ORM function in this class body.
    questions: Mapped[list[Question]] = sa.orm.relationship(
        back_populates="question_set", order_by="Question.position", cascade="all, delete-orphan"
    )
    translation_of: Mapped[QuestionSet | None] = sa.orm.relationship(remote_side="QuestionSet.id")

    @property
    def family(self) -> str:
        """Return the name scopes use for this set's family and version."""
        return f"{self.key}-v{self.version}"


class Question(Model):
    """One question of a set; a fact key links its answer to the candidate's claim."""

    __tablename__ = "question"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_set_id: Mapped[int] = mapped_column(sa.ForeignKey("question_set.id"), index=True)
    position: Mapped[int]
    text: Mapped[str] = mapped_column(sa.Text)
    kind: Mapped[str] = mapped_column(sa.String(20))
    fact_key: Mapped[str | None] = mapped_column(sa.String(40))
    choices: Mapped[list[str] | None] = mapped_column(sa.JSON)
    required: Mapped[bool] = mapped_column(default=True)
    low_label: Mapped[str | None] = mapped_column(sa.String(60))
    high_label: Mapped[str | None] = mapped_column(sa.String(60))

    question_set: Mapped[QuestionSet] = relationship(back_populates="questions")


class Response(Sealed, Model):
    """A referee's answers, sealed as one record bound to the referee; one per referee."""

    __tablename__ = "response"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    # Unique: a second submission, even at the same instant, cannot be stored.
    referee_id: Mapped[str] = mapped_column(sa.ForeignKey("referee.id"), unique=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    question_set_id: Mapped[int] = mapped_column(sa.ForeignKey("question_set.id"))
    answers_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    started_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Keyed hash of the submitting address: compared for fraud signals, never stored in clear.
    ip_hash: Mapped[str | None] = mapped_column(sa.String(64))
    # The language the referee read the questions and answered in.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")

    data_key: Mapped[DataKey] = relationship()

    def _place(self, column: str) -> str:
        """Bind the answers to their referee as well, so they cannot be passed off as another's."""
        if not self.referee_id:
            raise crypto.CryptoError("answers need their referee before they can be sealed")
        return f"{super()._place(column)}/referee/{self.referee_id}"


class ResponseDraft(Sealed, Model):
    """A referee's answers so far, saved page by page before they send them; sealed like answers.

    One per referee, deleted when they send, decline, or their request closes for any reason.
    """

    __tablename__ = "response_draft"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    referee_id: Mapped[str] = mapped_column(sa.ForeignKey("referee.id"), unique=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    question_set_id: Mapped[int] = mapped_column(sa.ForeignKey("question_set.id"))
    answers_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    saved_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    data_key: Mapped[DataKey] = relationship()

    def _place(self, column: str) -> str:
        """Bind the draft to its referee as well, so it cannot be passed off as another's."""
        if not self.referee_id:
            raise crypto.CryptoError("a draft needs its referee before it can be sealed")
        return f"{super()._place(column)}/referee/{self.referee_id}"


class FraudSignal(Model):
    """A rule that fired on a referee or submission, shown to staff with its reason."""

    __tablename__ = "fraud_signal"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    referee_id: Mapped[str] = mapped_column(sa.ForeignKey("referee.id"), index=True)
    rule: Mapped[str] = mapped_column(sa.String(40))
    # Plain words with no personal data: "email domain is a free-mail provider".
    detail: Mapped[str] = mapped_column(sa.String(300))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # How staff handled the signal; sealed under the case's key, since it may name people.
    resolved_note_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    # Written in clear before migration 0010; read as a fallback and cleared on the next change.
    resolved_note_clear: Mapped[str | None] = mapped_column("resolved_note", sa.Text)

    # Declared so the unit of work writes the referee before its signals.
    referee: Mapped[Referee] = relationship()

    @property
    def resolved_note(self) -> str | None:
        """Return how staff handled the signal, decrypted."""
        if self.resolved_note_enc is not None:
            return seal_open(self.referee.data_key, f"fraud_signal/{self.id}/resolved_note_enc",
                             self.resolved_note_enc)
        return self.resolved_note_clear

    @resolved_note.setter
    def resolved_note(self, value: str | None) -> None:
        """Seal the note under the case's key; None clears it."""
        self.resolved_note_clear = None
        self.resolved_note_enc = (None if value is None else seal_value(
            self.referee.data_key, f"fraud_signal/{self.id}/resolved_note_enc", value))

    @classmethod
    def unresolved(cls) -> sa.ColumnElement[bool]:
        """Select the signals staff have not yet recorded a note on."""
        return sa.and_(cls.resolved_note_enc.is_(None), cls.resolved_note_clear.is_(None))


FINDING_RESOLUTIONS = ("confirmed", "explained", "dismissed")


class Finding(Sealed, Model):
    """One fact's cross-verification, frozen when review starts; what it says is sealed."""

    __tablename__ = "finding"
    __table_args__ = (sa.Index("ix_finding_case_position", "case_id", "position"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"))
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    position: Mapped[int]  # display order
    fact: Mapped[str] = mapped_column(sa.String(40))
    status: Mapped[str] = mapped_column(sa.String(20))
    severity: Mapped[str] = mapped_column(sa.String(10))
    # heading (the position it concerns), explanation and sources
    content_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    resolution: Mapped[str | None] = mapped_column(sa.String(20))  # confirmed | explained | dismissed
    note_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    resolved_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    data_key: Mapped[DataKey] = relationship()
    reply: Mapped[Reply | None] = relationship(back_populates="finding", uselist=False)

    @property
    def content(self) -> dict[str, Any]:
        """Return the decrypted heading, explanation and sources."""
        return self.unseal("content_enc")


class Reply(Sealed, Model):
    """The candidate's answer to one finding: accepted, or their own words."""

    __tablename__ = "reply"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    finding_id: Mapped[str] = mapped_column(sa.ForeignKey("finding.id"), unique=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    accepted: Mapped[bool] = mapped_column(default=False)
    text_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    data_key: Mapped[DataKey] = relationship()
    finding: Mapped[Finding] = relationship(back_populates="reply")


class Report(Sealed, Model):
    """One rendered version of a case's report: the PDF sealed, with its fingerprints in clear."""

    __tablename__ = "report"
    __table_args__ = (sa.UniqueConstraint("case_id", "version", name="uq_report_case_version"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    version: Mapped[int]
    # Printed on every page: the SHA-256 of the report's content, known before rendering.
    fingerprint: Mapped[str] = mapped_column(sa.String(64), index=True)
    # The SHA-256 of the PDF file itself.
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    pdf_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    # The language it is written in (REPORT_LANGUAGE when it was released), which the setting may since
    # have changed: the candidate is told when it is not theirs.
    language: Mapped[str] = mapped_column(sa.String(8), default="en", server_default="en")
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    released_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)

    data_key: Mapped[DataKey] = relationship()


class StaffNote(Sealed, Model):
    """A private note staff keep on a case; never shown to the candidate or in the report."""

    __tablename__ = "staff_note"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"), index=True)
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    author_id: Mapped[int] = mapped_column(sa.ForeignKey("staff_user.id"))
    text_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    data_key: Mapped[DataKey] = relationship()
    author: Mapped[StaffUser] = relationship()


ENQUIRY_KINDS = ("question", "concern")


class Enquiry(Sealed, Model):
    """A question or concern the candidate sends their contact, and the answer; both sealed."""

    __tablename__ = "enquiry"
    __table_args__ = (
        # The staff list asks, for the cases on a page, which have a question still waiting.
        sa.Index("ix_enquiry_case_open", "case_id", "answered_at"),
        sa.Index("ix_enquiry_open_due", "answered_at", "answer_by"),
    )

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    case_id: Mapped[int] = mapped_column(sa.ForeignKey("case.id"))
    data_key_id: Mapped[str] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    kind: Mapped[str] = mapped_column(sa.String(10), default="question")
    text_enc: Mapped[bytes] = mapped_column(sa.LargeBinary)
    asked_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When the candidate was told to expect an answer.
    answer_by: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    answer_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    answered_at: Mapped[dt.datetime | None] = mapped_column(UTCDateTime)
    answered_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))

    data_key: Mapped[DataKey] = relationship()
    answered_by: Mapped[StaffUser | None] = relationship()


SURVEY_MOMENTS = ("consent", "release", "referee")


class ExperienceAnswer(Sealed, Model):
    """One optional 'how was this?' answer: a score of 1-5 and a sealed comment.

    The score outlives the case's erasure without anything that names the person; the
    comment, which may, is sealed under the case's key and deleted with it.
    """

    __tablename__ = "experience_answer"
    __table_args__ = (sa.Index("ix_experience_answer_moment_created", "moment", "created_at"),)

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True, default=new_id)
    # "case:<id>:<moment>" or "referee:<id>": one answer per person and moment, changed in place.
    respondent: Mapped[str] = mapped_column(sa.String(80), unique=True)
    case_id: Mapped[int | None] = mapped_column(sa.ForeignKey("case.id"), index=True)
    data_key_id: Mapped[str | None] = mapped_column(sa.ForeignKey("data_key.id"), index=True)
    moment: Mapped[str] = mapped_column(sa.String(20))  # consent | release | referee
    # Kept in clear so the metrics can be filtered by organisation after erasure too.
    hiring_organisation: Mapped[str] = mapped_column(sa.String(200))
    score: Mapped[int | None]
    comment_enc: Mapped[bytes | None] = mapped_column(sa.LargeBinary)
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    # None once the case is erased: the score stays, the comment and its key do not. Sealed expects
    # every sealed row to have a key; this is the one row that outlives its key (mypy: assignment).
    data_key: Mapped[DataKey | None] = relationship()  # type: ignore[assignment]


class ErasedReport(Model):
    """What /verify still knows of a released report whose case was erased: no personal data at all."""

    __tablename__ = "erased_report"

    fingerprint: Mapped[str] = mapped_column(sa.String(64), primary_key=True)
    sha256: Mapped[str] = mapped_column(sa.String(64), index=True)
    case_id: Mapped[int]  # no foreign key: the case is gone
    version: Mapped[int]
    released_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)
    erased_at: Mapped[dt.datetime] = mapped_column(UTCDateTime)



class EmployerAlias(Model):
    """Another name of an employer that staff have confirmed: a former name, a parent or a trading name.

    Cross-verification reads these as agreeing names (refcheck.employers); no text can show them.
    """

    __tablename__ = "employer_alias"
    # One pair of names once, however either was written ("Contoso Ltd", "CONTOSO").
    __table_args__ = (sa.UniqueConstraint("name_key", "same_as_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200))
    same_as: Mapped[str] = mapped_column(sa.String(200))
    # Both names as the matcher reduces them (refcheck.employers.normalise_employer).
    name_key: Mapped[str] = mapped_column(sa.String(200))
    same_as_key: Mapped[str] = mapped_column(sa.String(200))
    relation: Mapped[str] = mapped_column(sa.String(20))  # former_name | parent | trading_name
    created_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_user.id"))
    created_at: Mapped[dt.datetime] = mapped_column(UTCDateTime, default=utcnow)

    created_by: Mapped[StaffUser | None] = relationship()
