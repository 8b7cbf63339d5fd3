"""Outbox email: queued in the caller's transaction, delivered later with retries."""

from __future__ import annotations

import datetime as dt
import smtplib
import sys
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from typing import Any, Protocol

import sqlalchemy as sa
from flask import current_app, g, has_request_context
from flask_babel import lazy_gettext as _l
from jinja2 import Environment

from . import i18n
from .columns import rows_changed
from .extensions import db
from .models import DataKey, OutboxMessage, utcnow
from .text import one_line, unsafe_address

# Subjects are fixed per kind so that nothing a person typed reaches a mail header.
SUBJECTS: dict[str, Any] = {
    "candidate_invitation": _l("Your reference check: please read and decide"),
    "candidate_new_link": _l("Your new link to your reference check"),
    "consent_confirmation": _l("You agreed to your reference check: your receipt"),
    "consent_declined": _l("You declined the reference check"),
    "consent_withdrawn": _l("You withdrew your consent: the check has stopped"),
    "referee_invitation": _l("A reference request from a former colleague"),
    "referee_declined": _l("One of your referees cannot answer"),
    "referee_reminder": _l("Reminder: a reference request from a former colleague"),
    "referee_expired": _l("One of your referees did not answer in time"),
    "referee_withdrew": _l("One of your referees withdrew their answers"),
    "referee_replacement": _l("Please name another referee"),
    "findings_ready": _l("Your reference check: the findings are ready for you"),
    "report_released": _l("Your reference check is complete: your report is ready"),
    "referee_thanks": _l("Thank you: the reference check you helped with is complete"),
    "enquiry_asked": "A candidate has sent their contact a question",
    "enquiry_answered": _l("Your contact has answered your question"),
    "staff_signed_in": "New sign-in to your refcheck staff account",
    "two_factor_enrolled": "Your refcheck account now asks for a code at sign-in",
    "two_factor_codes_renewed": "New recovery codes were made for your refcheck account",
    "two_factor_code_used": "A recovery code was used to sign in to your refcheck account",
    "two_factor_reset": "An admin removed the second step from your refcheck account",
    "two_factor_passkey_added": "A passkey was added to your refcheck account",
    "two_factor_passkey_removed": "A passkey was removed from your refcheck account",
    "client_welcome": "You are invited to follow your organisation's reference checks",
    "webhook_disabled": "A webhook endpoint was stopped after failing",
}


class Transport(Protocol):
    """Something that can deliver email messages, one at a time, until it is closed."""

    def send(self, message: EmailMessage) -> None:
        """Deliver the message or raise."""

    def close(self) -> None:
        """Let go of anything held open between messages."""


def queue(kind: str, to: str, data_key: DataKey, case_id: int | None, *, language: str = "en",
          **context: Any) -> OutboxMessage:
    """Render an email from templates/mail/<kind>.txt in the recipient's language and add it to the outbox.

    Staff and the hiring side read English; a candidate's or referee's email is in their own language,
    whoever's request sends it.
    """
    with i18n.writing_in(language):
        body = _mail_templates().get_template(f"mail/{kind}.txt").render(**context)
        subject = str(SUBJECTS[kind])
    message = OutboxMessage(kind=kind, subject=subject, data_key=data_key, case_id=case_id)
    message.seal("recipient_enc", to)
    message.seal("body_enc", body)
    db.session.add(message)
    if has_request_context():
        g.mail_queued = True
    return message


def _mail_templates() -> Environment:
    """Return the app's templates as mail renders them: every value written into a line stays on that line.

    A name or a reason typed with line breaks could otherwise start lines of its own in a body that
    refcheck sends from its own address (a fake notice, a link); here each is written as one line.
    """
    env = current_app.extensions.get("refcheck.mail_templates")
    if env is None:
        env = current_app.extensions["refcheck.mail_templates"] = current_app.jinja_env.overlay(
            finalize=_on_one_line, autoescape=False)
    return env


def _on_one_line(value: Any) -> Any:
    """Write a text value with its line breaks and control characters as spaces."""
    return one_line(value) if isinstance(value, str) else value


def build_message(message: OutboxMessage, sender: str) -> EmailMessage:
    """Turn an outbox row into an email; EmailMessage refuses CR/LF in headers."""
    recipient = message.unseal("recipient_enc")
    if unsafe_address(recipient):
        raise ValueError("the recipient address holds an encoded word or a line break")
    email = EmailMessage()
    email["From"] = sender
    email["To"] = recipient
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=message.id, domain=sender.rpartition("@")[2] or None)
    email["Auto-Submitted"] = "auto-generated"
    email.set_content(message.unseal("body_enc"))
    return email


def due_messages(now: dt.datetime, limit: int = 50) -> list[OutboxMessage]:
    """Return unsent messages whose next attempt is due, locking them where the database can."""
    query = (
        sa.select(OutboxMessage)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.next_attempt_at <= now,
               OutboxMessage.attempts < current_app.config["MAIL_MAX_ATTEMPTS"])
        .order_by(OutboxMessage.created_at)
        .limit(limit)
    )
    if db.session.get_bind().dialect.name == "postgresql":
        # Several senders may run at once; each takes different rows.
        query = query.with_for_update(skip_locked=True)
    return list(db.session.execute(query).scalars())


def claim_due(now: dt.datetime, limit: int = 50) -> list[OutboxMessage]:
    """Take the due messages this sender will try, so that a sender running alongside skips them.

    Each message's next attempt moves past twice the time the batch could take; the caller commits
    this claim before sending. A sender that dies leaves its messages to be retried after that.
    """
    lease = dt.timedelta(seconds=2 * limit * int(current_app.config["SMTP_TIMEOUT"]) + 60)
    claimed = []
    for message in due_messages(now, limit):
        # The condition is checked again under the write lock: of two senders, one moves the row.
        taken = rows_changed(db.session.execute(
            sa.update(OutboxMessage)
            .where(OutboxMessage.id == message.id, OutboxMessage.sent_at.is_(None),
                   OutboxMessage.next_attempt_at <= now)
            .values(next_attempt_at=now + lease)
            .execution_options(synchronize_session=False)
        ))
        if taken:
            claimed.append(message)
    return claimed


def prune_sent(before: dt.datetime, batch: int = 1000) -> int:
    """Delete up to `batch` emails sent before `before`, by the pending index; return how many went.

    A batch at a time, each committed by the caller: a long backlog never holds a long transaction.
    """
    ids = list(db.session.execute(
        sa.select(OutboxMessage.id).where(OutboxMessage.sent_at.is_not(None), OutboxMessage.sent_at < before)
        .limit(batch)).scalars())
    if not ids:
        return 0
    return rows_changed(db.session.execute(
        sa.delete(OutboxMessage).where(OutboxMessage.id.in_(ids)).execution_options(synchronize_session=False)))


def release(message_ids: list[str], now: dt.datetime) -> None:
    """Give back messages this sender claimed and did not try: the next run may take them at once."""
    if message_ids:
        db.session.execute(sa.update(OutboxMessage).where(
            OutboxMessage.id.in_(message_ids), OutboxMessage.sent_at.is_(None)).values(next_attempt_at=now)
            .execution_options(synchronize_session=False))


def attempt(message: OutboxMessage, transport: Transport, now: dt.datetime) -> bool:
    """Try to deliver one message and record the outcome on the row; never raise."""
    message.attempts += 1
    try:
        transport.send(build_message(message, current_app.config["MAIL_FROM"]))
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        # Back off: 1, 2, 4 ... minutes, capped at a day. The error names no recipient.
        delay = min(2 ** (message.attempts - 1), 24 * 60)
        message.next_attempt_at = now + dt.timedelta(minutes=delay)
        message.last_error = type(exc).__name__ + (f" {exc.smtp_code}" if hasattr(exc, "smtp_code") else "")
        return False
    message.sent_at = now
    message.last_error = None
    return True


class SMTPTransport:
    """Deliver through the configured SMTP server, over one connection kept open for a whole run."""

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None
        self.connections = 0

    def send(self, message: EmailMessage) -> None:
        """Send one message on the open connection; if the server dropped it, connect again once."""
        try:
            self._connection().send_message(message)
        except (smtplib.SMTPServerDisconnected, ConnectionError):
            # The server closed an idle or used-up connection: a new one, and this message once more.
            self.close()
            self._connection().send_message(message)

    def _connection(self) -> smtplib.SMTP:
        """Return the open connection, making it (with STARTTLS and login) when there is none."""
        if self.smtp is None:
            cfg = self.config
            smtp = smtplib.SMTP(cfg["SMTP_HOST"], int(cfg["SMTP_PORT"]), timeout=cfg["SMTP_TIMEOUT"])
            try:
                if cfg.get("SMTP_STARTTLS"):
                    smtp.starttls()
                if cfg.get("SMTP_USERNAME"):
                    smtp.login(cfg["SMTP_USERNAME"], cfg["SMTP_PASSWORD"] or "")
            except BaseException:
                smtp.close()
                raise
            self.smtp = smtp
            self.connections += 1
        return self.smtp

    def close(self) -> None:
        """Say goodbye to the server, or just drop a connection that is already gone."""
        smtp, self.smtp = self.smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except (OSError, smtplib.SMTPException):
            smtp.close()


class ConsoleTransport:
    """Local mode: print each message and keep a copy in instance/mail/, as .eml and as plain text."""

    # The headers a person reading the copy needs, in the order a mail program shows them.
    TEXT_HEADERS = ("From", "To", "Subject", "Message-ID", "Auto-Submitted")

    def __init__(self, folder: Path, stream: Any = None) -> None:
        self.folder = folder
        self.stream = stream

    def close(self) -> None:
        """Nothing is held open between messages."""

    def send(self, message: EmailMessage) -> None:
        """Write the message to files and its readable body to the console."""
        self.folder.mkdir(parents=True, exist_ok=True)
        stem = utcnow().strftime("%Y%m%dT%H%M%S%f")
        (self.folder / f"{stem}.eml").write_bytes(bytes(message))
        # The .eml body is quoted-printable, which wraps long links with "=" and spells "Lucía" as
        # "Luc=C3=ADa"; the .txt copy is the message as a person reads it, so its links can be followed.
        body = message.get_content()
        (self.folder / f"{stem}.txt").write_text(self.as_text(message, body), encoding="utf-8")
        stream = self.stream or sys.stdout
        print(f"\n----- mail to {message['To']}: {message['Subject']} -----", file=stream)
        print(body, file=stream)
        print(f"----- saved as {self.folder.name}/{stem}.txt (and .eml) -----", file=stream, flush=True)

    @classmethod
    def as_text(cls, message: EmailMessage, body: str) -> str:
        """Return the headers and the decoded body as plain text."""
        headers = "".join(f"{name}: {message[name]}\n" for name in cls.TEXT_HEADERS if message[name])
        return f"{headers}\n{body}"


def transport_for(app_config: dict[str, Any], instance_path: str) -> Transport:
    """Return the transport the configuration names."""
    if app_config["MAIL_BACKEND"] == "smtp":
        return SMTPTransport(app_config)
    return ConsoleTransport(Path(instance_path) / "mail")
