"""The audit chain: written with each change, and `audit verify` names the first broken event."""

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent

from .conftest import consent, enter_portal


def _event_ids(app):
    with app.app_context():
        return db.session.execute(sa.select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()


def test_intact_chain_verifies(app, client, runner, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert f"{len(_event_ids(app))} events" in result.output


def test_edited_event_is_named(app, runner, sent_case):
    ids = _event_ids(app)
    with app.app_context():
        db.session.execute(sa.update(AuditEvent).where(AuditEvent.id == ids[1])
                           .values(actor="staff:999"))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {ids[1]}: its content was changed" in result.output


def test_deleted_event_is_detected_at_its_successor(app, runner, sent_case):
    ids = _event_ids(app)
    with app.app_context():
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == ids[1]))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {ids[2]}" in result.output


def test_rehashed_edit_still_breaks_the_link_after_it(app, runner, sent_case):
    from refcheck.audit import event_hash

    ids = _event_ids(app)
    with app.app_context():
        event = db.session.get(AuditEvent, ids[1])
        event.details = {"forged": True}
        event.hash = event_hash(event)
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {ids[2]}" in result.output


def test_audit_rolls_back_with_the_change_it_records(app, staff):
    from refcheck import audit

    before = len(_event_ids(app))
    with app.app_context():
        audit.record("case.opened", "staff:1", None)
        db.session.rollback()
    assert len(_event_ids(app)) == before
