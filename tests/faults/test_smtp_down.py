"""The mail server is down: messages stay queued with a back-off and are delivered once it is back."""

import asyncio
import datetime as dt
import os
import subprocess
import sys

import sqlalchemy as sa
from aiosmtpd.controller import Controller

from refcheck.extensions import db
from refcheck.models import OutboxMessage, utcnow

from ..conftest import Inbox, send_case
from .conftest import ROOT


def _row(app):
    with app.app_context():
        return db.session.execute(sa.select(OutboxMessage)).scalar_one()


def _time_passes(app, minutes):
    """Move the queued message's next attempt into the past, as if `minutes` had gone by."""
    with app.app_context():
        row = db.session.execute(sa.select(OutboxMessage)).scalar_one()
        row.next_attempt_at -= dt.timedelta(minutes=minutes)
        db.session.commit()


def test_mail_waits_for_a_stopped_smtp_server_and_is_delivered_exactly_once(app, runner, staff, smtp_port):
    sent = send_case(app, staff)
    # Nothing listens on the configured SMTP port yet: the server is down.
    started = utcnow()
    down = runner.invoke(args=["mail", "send"])
    assert down.exit_code == 0
    assert "Sent 0, failed 1 (will retry), 1 waiting" in down.output
    row = _row(app)
    assert (row.attempts, row.sent_at, row.last_error) == (1, None, "ConnectionRefusedError")
    # Back-off: the next try is a minute away, not at once.
    assert dt.timedelta(seconds=55) < row.next_attempt_at - started < dt.timedelta(seconds=65)
    assert "Sent 0, failed 0 (will retry), 1 waiting" in runner.invoke(args=["mail", "send"]).output

    # Still down a minute later: the wait doubles.
    _time_passes(app, 1)
    assert "failed 1" in runner.invoke(args=["mail", "send"]).output
    row = _row(app)
    assert row.attempts == 2 and row.next_attempt_at - utcnow() > dt.timedelta(seconds=100)

    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    try:
        _time_passes(app, 2)
        up = runner.invoke(args=["mail", "send"])
        assert "Sent 1, failed 0 (will retry), 0 waiting" in up.output
        # Later runs send nothing again, however long they wait.
        _time_passes(app, 60 * 24)
        assert "Sent 0, failed 0 (will retry), 0 waiting" in runner.invoke(args=["mail", "send"]).output
    finally:
        controller.stop()

    (message,) = inbox.messages
    assert message["To"] == sent.email
    assert f"https://refcheck.test{sent.path}" in message.get_payload(decode=True).decode()
    row = _row(app)
    assert row.sent_at is not None and row.attempts == 3 and row.last_error is None


class SlowInbox(Inbox):
    """A mail server that takes its time over each message, as a busy one does."""

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        await asyncio.sleep(0.3)
        return await super().handle_DATA(server, session, envelope)


def test_two_overlapping_mail_runs_deliver_each_message_once(app, staff, smtp_port):
    for n in range(6):
        send_case(app, staff, (f"Candidate {n}", f"candidate{n}@candidate.example"))
    inbox = SlowInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    env = {k: v for k, v in os.environ.items() if not k.startswith("REFCHECK_") and k != "DATABASE_URL"}
    env.update({"REFCHECK_INSTANCE_PATH": app.instance_path, "REFCHECK_MAIL_BACKEND": "smtp",
                "REFCHECK_DATABASE_URL": app.config["SQLALCHEMY_DATABASE_URI"],
                "REFCHECK_SMTP_HOST": "127.0.0.1", "REFCHECK_SMTP_PORT": str(smtp_port)})
    if app.config.get("KEYSTORE_URL"):
        env["REFCHECK_KEYSTORE_URL"] = app.config["KEYSTORE_URL"]
    try:
        # Cron starts a run while the last one is still sending.
        runs = [subprocess.Popen([sys.executable, "-m", "flask", "--app", "refcheck", "mail", "send"],  # noqa: S603
                                 cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(2)]
        outputs = [run.communicate(timeout=120) for run in runs]
    finally:
        controller.stop()
    assert [run.returncode for run in runs] == [0, 0], outputs
    recipients = sorted(message["To"] for message in inbox.messages)
    assert recipients == sorted(f"candidate{n}@candidate.example" for n in range(6)), outputs
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(OutboxMessage).where(
            OutboxMessage.sent_at.is_(None))).scalar_one() == 0
