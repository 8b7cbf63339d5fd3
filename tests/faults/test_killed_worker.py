"""A worker killed while saving a submission: afterwards the answer is complete or absent, never half."""

import json
import os
import select
import signal
import subprocess
import sys

import pytest
import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent, FraudSignal, PortalSession, Referee, Response

from .conftest import ROOT, referee_at_questions, shared_config


def _rows(app, referee_id):
    with app.app_context():
        count = lambda model, *where: db.session.execute(  # noqa: E731
            sa.select(sa.func.count()).select_from(model).where(*where)).scalar_one()
        return {"state": db.session.get(Referee, referee_id).state,
                "responses": count(Response, Response.referee_id == referee_id),
                "signals": count(FraudSignal, FraudSignal.referee_id == referee_id),
                "submitted_events": count(AuditEvent, AuditEvent.action == "referee.submitted"),
                "live_sessions": count(PortalSession, PortalSession.referee_id == referee_id,
                                       PortalSession.ended_at.is_(None))}


@pytest.mark.parametrize("moment", ["before", "after"])
def test_a_worker_killed_mid_submission_leaves_the_answer_whole_or_absent(app, invited, runner, moment):
    path = invited["Grace Lindqvist"]
    browser, answers = referee_at_questions(app, path)
    referee_id = path.split("/")[2]
    before = _rows(app, referee_id)

    worker = subprocess.Popen(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "tests.faults.killed_worker", json.dumps(shared_config(app)), referee_id,
         moment],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        # Wait (at most a minute) for the worker to say its rows are written.
        assert select.select([worker.stdout], [], [], 60)[0], "the worker said nothing for a minute"
        line = worker.stdout.readline()
        assert line.strip() == "ready", worker.stderr.read()
    finally:
        os.kill(worker.pid, signal.SIGKILL)
        worker.wait(timeout=30)
    assert worker.returncode == -signal.SIGKILL

    after = _rows(app, referee_id)
    if moment == "before":
        # Absent: not a Response without its referee change, nor an audit event without either.
        assert after == before and after["responses"] == 0 and after["state"] == "opened"
        # The emailed link still opens, and the referee's open tab sends the answers, once.
        assert app.test_client().get(path).status_code == 200
        assert browser.post("/referee", data=answers).status_code == 303
        assert _rows(app, referee_id)["responses"] == 1
    else:
        # Complete: the answer, the referee's state and the audit event, all together.
        assert (after["state"], after["responses"], after["submitted_events"]) == ("submitted", 1, 1)
        assert after["signals"] >= 1
        # Their tab shows they answered; sending again saves nothing more.
        again = browser.post("/referee", data=answers, follow_redirects=False)
        assert again.status_code in (200, 303) and _rows(app, referee_id)["responses"] == 1
    assert _rows(app, referee_id)["live_sessions"] >= 1
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and "Audit chain intact" in result.output
