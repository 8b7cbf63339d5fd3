"""Outbox email: queued with the change, delivered over real SMTP, and never lost in an outage."""

import datetime as dt

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller

from refcheck.commands import Actor
from refcheck.extensions import db
from refcheck.models import OutboxMessage, utcnow

from .conftest import Inbox, send_case


def _outbox(app):
    with app.app_context():
        return db.session.execute(
            sa.select(OutboxMessage.kind, OutboxMessage.attempts, OutboxMessage.sent_at)
        ).all()


def test_mail_is_delivered_over_smtp(app, runner, staff, smtp_port):
    sent = send_case(app, staff)
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        result = runner.invoke(args=["mail", "send"])
    finally:
        controller.stop()
    assert result.exit_code == 0 and "Sent 1, failed 0" in result.output
    (message,) = inbox.messages
    assert message["To"] == sent.email
    assert message["Subject"] == "Your reference check: please read and decide"
    body = message.get_payload(decode=True).decode()
    assert f"https://refcheck.test/c/{sent.id}/{sent.token}" in body
    assert "Hello Amira Okafor" in body
    assert _outbox(app)[0][2] is not None


def test_an_smtp_outage_loses_nothing(app, runner, staff, smtp_port):
    send_case(app, staff)
    # Nothing listens on the port: the server is down.
    down = runner.invoke(args=["mail", "send"])
    assert down.exit_code == 0 and "Sent 0, failed 1 (will retry), 1 waiting" in down.output
    ((kind, attempts, sent_at),) = _outbox(app)
    assert (kind, attempts, sent_at) == ("candidate_invitation", 1, None)
    # Not due yet: a second run right away does not hammer the server.
    assert "Sent 0, failed 0" in runner.invoke(args=["mail", "send"]).output

    with app.app_context():
        db.session.execute(sa.update(OutboxMessage).values(
            next_attempt_at=utcnow() - dt.timedelta(seconds=1)))
        db.session.commit()
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=app.config["SMTP_PORT"])
    controller.start()
    try:
        up = runner.invoke(args=["mail", "send"])
    finally:
        controller.stop()
    assert "Sent 1, failed 0" in up.output
    assert len(inbox.messages) == 1
    assert _outbox(app)[0][1] == 2


def test_typed_text_never_reaches_mail_headers(app, runner, staff, smtp_server):
    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    from refcheck import cases
    from refcheck.models import Candidate, Case

    with pytest.raises(cases.CaseError, match="one line"):
        send_case(app, staff, ("Eve\r\nBcc: victim@evil.example", "eve@candidate.example"))
    # A name stored before the rule existed still reaches no header, and no line of its own.
    sent = send_case(app, staff, ("Eve", "eve@candidate.example"))
    with app.app_context():
        db.session.execute(sa.delete(OutboxMessage))
        case = db.session.get(Case, sent.id)
        candidate = db.session.get(Candidate, case.candidate_id)
        candidate.seal("name_enc", "Eve\r\nBcc: victim@evil.example")
        db.session.commit()
        cases.send_new_link(case.id, Actor.system(), utcnow())
        db.session.commit()
    runner.invoke(args=["mail", "send"])
    (message,) = inbox.messages
    assert "Hello Eve  Bcc: victim@evil.example," in message.get_payload(decode=True).decode()
    assert message["Bcc"] is None
    assert inbox.envelopes[0].rcpt_tos == ["eve@candidate.example"]
    assert "victim@evil.example" not in message["Subject"] + message["To"]


def test_mail_is_queued_in_the_same_transaction_as_the_change(app, staff):
    from refcheck import cases
    from refcheck.models import Case, StaffUser

    from .conftest import default_scope

    with app.app_context():
        user = Actor.staff(db.session.get(StaffUser, staff.id))
        details = cases.CaseDetails("A B", "a@b.example", "Role", "Org", "Why", None)
        case = cases.open_case(details, default_scope(), user, utcnow())
        db.session.commit()
        cases.invite_candidate(case.id, user, utcnow())
        db.session.rollback()
        # The invitation's state change and its email were undone together.
        assert db.session.get(Case, case.id).state == "draft"
    assert _outbox(app) == []


def test_outbox_rows_hold_no_plaintext(app, staff):
    sent = send_case(app, staff)
    with app.app_context():
        row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
        assert sent.email.encode() not in row.recipient_enc
        assert sent.token.encode() not in row.body_enc


def test_local_mail_is_saved_as_text_a_person_can_follow(app, staff, tmp_path):
    import io

    from refcheck import mail

    sent = send_case(app, staff, ("Lucía Fernández", "lucia.fernandez@candidate.example"))
    console = io.StringIO()
    with app.app_context():
        message = db.session.execute(sa.select(OutboxMessage)).scalar_one()
        assert mail.attempt(message, mail.ConsoleTransport(tmp_path / "mail", stream=console), utcnow())
    (eml,) = (tmp_path / "mail").glob("*.eml")
    (txt,) = (tmp_path / "mail").glob("*.txt")
    assert eml.stem == txt.stem
    link = f"https://refcheck.test/c/{sent.id}/{sent.token}"
    # The .eml is quoted-printable: the name does not read as itself there, and long lines wrap.
    assert "Luc=C3=ADa" in eml.read_text(encoding="ascii") and "=\n" in eml.read_text(encoding="ascii")
    text = txt.read_text(encoding="utf-8")
    headers, _, body = text.partition("\n\n")
    assert headers.splitlines()[:3] == [
        f"From: {app.config['MAIL_FROM']}", f"To: {sent.email}",
        "Subject: Your reference check: please read and decide"]
    assert "Hello Lucía Fernández" in body and link in body.split()
    assert link in console.getvalue().split() and "Hello Lucía Fernández" in console.getvalue()
    assert f"mail/{txt.name}" in console.getvalue()


def test_the_invitation_and_a_new_link_give_the_decide_by_date_of_the_timeline(app, runner, staff,
                                                                               smtp_server):
    from refcheck import cases, progress, timeline
    from refcheck.dates import day
    from refcheck.models import Case

    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    sent = send_case(app, staff)
    with app.app_context():
        case = db.session.get(Case, sent.id)
        steps = timeline.build(progress.case_facts(case), utcnow())
        decide_by = next(s.date for s in steps if s.key == "consent")
        # Two days on, the candidate asks for a new link: the date is the same, not two days later.
        case.stage_times = {**case.stage_times,
                            "awaiting_consent": (utcnow() - dt.timedelta(days=2)).isoformat()}
        db.session.commit()
        cases.send_new_link(sent.id, Actor.system("public"), utcnow())
        db.session.commit()
    assert decide_by == (utcnow() + dt.timedelta(days=5)).date()
    assert "Sent 2, failed 0" in runner.invoke(args=["mail", "send"]).output
    invitation, new_link = (m.get_payload(decode=True).decode() for m in inbox.messages)
    assert (f"Please decide by {day(decide_by)}, so the check can finish on time. "
            "If you need longer, write to privacy@refcheck.example.") in invitation
    assert f"Please read the scope and decide by {day(decide_by - dt.timedelta(days=2))}" in new_link
    assert "\n\n\n" not in invitation and "\n\n\n" not in new_link


def test_a_new_link_after_the_decision_asks_for_no_decision(app, staff):
    from refcheck import cases
    from refcheck.models import Case

    sent = send_case(app, staff)
    with app.app_context():
        cases.grant_consent(sent.id, Actor.candidate(sent.id), "Amira Okafor", None, "test", utcnow())
        db.session.commit()
        cases.send_new_link(sent.id, Actor.system("public"), utcnow())
        db.session.commit()
        case = db.session.get(Case, sent.id)
        body = db.session.execute(sa.select(OutboxMessage).where(
            OutboxMessage.case_id == case.id, OutboxMessage.kind == "candidate_new_link")
        ).scalar_one().unseal("body_enc")
    assert "decide" not in body and "\n\n\n" not in body
    assert "Earlier links no longer work.\n\nCase reference" in body


def _queue(app, count: int) -> None:
    """Queue `count` emails, as commands do."""
    from refcheck import mail
    from refcheck.models import DataKey

    with app.app_context():
        for n in range(count):
            mail.queue("client_welcome", f"person{n}@example.com", DataKey.generate(), None,
                       name=f"Person {n}", inviter="Priya", organisation="Northwind",
                       link="https://refcheck.test/client/welcome/x", expires=utcnow())
        db.session.commit()


def test_a_run_sends_every_email_over_one_connection(app, runner, smtp_server):
    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    _queue(app, 6)
    assert "Sent 6, failed 0" in runner.invoke(args=["mail", "send"]).output
    assert len(inbox.messages) == 6 and inbox.connections() == 1


def test_a_dropped_connection_is_made_again_and_the_message_still_goes(app, smtp_port):
    from email.message import EmailMessage

    from refcheck.mail import SMTPTransport

    inbox = Inbox()
    transport = SMTPTransport({**app.config, "SMTP_PORT": smtp_port})
    for attempt in range(2):
        # The server goes away between the two messages, as a provider closing an idle connection does.
        controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
        controller.start()
        try:
            message = EmailMessage()
            message["From"], message["To"] = "a@example.com", "b@example.com"
            message["Subject"] = f"n{attempt}"
            message.set_content("Hello.")
            transport.send(message)
        finally:
            controller.stop()
    transport.close()
    assert [m["Subject"] for m in inbox.messages] == ["n0", "n1"] and transport.connections == 2


def test_a_run_ends_on_time_at_the_providers_rate_and_leaves_the_rest_due(app, runner, smtp_server):
    inbox, port = smtp_server
    app.config.update(SMTP_PORT=port, MAIL_RUN_SECONDS=1, MAIL_RATE_PER_SECOND=4)
    _queue(app, 20)
    first = runner.invoke(args=["mail", "send"]).output
    sent = len(inbox.messages)
    # Four a second for one second: a handful, not all twenty, and the rest were not held back.
    assert 1 <= sent <= 6, first
    with app.app_context():
        waiting = db.session.execute(sa.select(OutboxMessage.next_attempt_at).where(
            OutboxMessage.sent_at.is_(None))).scalars().all()
    assert len(waiting) == 20 - sent and all(when <= utcnow() for when in waiting)
    app.config.update(MAIL_RUN_SECONDS=50, MAIL_RATE_PER_SECOND=0)
    assert f"Sent {20 - sent}, failed 0" in runner.invoke(args=["mail", "send"]).output


def test_sent_mail_is_deleted_after_its_days_in_batches_and_unsent_mail_never(app, runner, smtp_server):
    from refcheck import mail

    inbox, port = smtp_server
    app.config["SMTP_PORT"] = port
    _queue(app, 5)
    assert "Sent 5" in runner.invoke(args=["mail", "send"]).output
    _queue(app, 2)  # queued and not sent: kept however old
    with app.app_context():
        old = utcnow() - dt.timedelta(days=31)
        sent_ids = db.session.execute(sa.select(OutboxMessage.id).where(
            OutboxMessage.sent_at.is_not(None)).order_by(OutboxMessage.id)).scalars().all()
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.id.in_(sent_ids[:4])).values(sent_at=old))
        db.session.execute(sa.update(OutboxMessage).where(OutboxMessage.sent_at.is_(None)).values(created_at=old))
        db.session.commit()
        # A batch at a time: three, then the last old one, then nothing.
        before = utcnow() - dt.timedelta(days=30)
        assert [mail.prune_sent(before, batch=3) for _ in range(3)] == [3, 1, 0]
        db.session.rollback()
    purged = runner.invoke(args=["retention", "purge"]).output
    assert "4 sent emails past MAIL_KEEP_SENT_DAYS deleted" in purged, purged
    with app.app_context():
        left = db.session.execute(sa.select(OutboxMessage.id, OutboxMessage.sent_at)).all()
    assert len(left) == 3 and sum(sent is None for _, sent in left) == 2
