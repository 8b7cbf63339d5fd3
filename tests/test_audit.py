"""The audit chain: written with each change, and `audit verify` names the first broken event."""

import sqlalchemy as sa

from refcheck.extensions import db
from refcheck.models import AuditEvent

from .conftest import consent, enter_portal, sign_in


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


def test_an_edit_rehashed_without_the_key_is_named(app, runner, sent_case):
    import hashlib
    import hmac

    from refcheck.audit import event_hash

    ids = _event_ids(app)
    with app.app_context():
        event = db.session.get(AuditEvent, ids[1])
        event.details = {"forged": True}
        # Someone with the database alone can only guess at the key; plain SHA-256 is what the chain
        # used to be, and a key of their own is no better.
        event.hash = event_hash(event, hashlib.sha256(b"a guess").digest())
        assert not hmac.compare_digest(event.hash, event_hash(event, b"\0" * 32))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"broken at event {ids[1]}: its content was changed" in result.output


def test_a_cut_tail_is_found_against_the_key_stores_checkpoint(app, runner, sent_case):
    ids = _event_ids(app)
    with app.app_context():
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id.in_(ids[-2:])))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert "cut short (a missing tail)" in result.output
    assert f"the log ends at event {ids[-3]}, but the key store saw it reach event {ids[-1]}" in result.output


def test_a_chain_rewritten_with_the_key_is_found_against_the_checkpoint(app, runner, sent_case):
    from refcheck import audit
    from refcheck.models import keyring

    # Even someone who has the key, but not the key store, cannot rewrite the chain unseen.
    ids = _event_ids(app)
    with app.app_context():
        previous = audit.GENESIS
        for event in db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id)).scalars():
            if event.id == ids[1]:
                event.details = {"forged": True}
            event.prev_hash = previous
            event.hash = previous = audit.event_hash(event, keyring().chain_key)
            db.session.flush()
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"rewritten at event {ids[-1]}" in result.output


def test_a_lost_checkpoint_is_reported(app, runner, sent_case):
    from refcheck.keystore import AuditCheckpoint

    with app.app_context():
        db.session.execute(sa.delete(AuditCheckpoint))
        db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1 and "holds no checkpoint of the chain" in result.output


def test_the_checkpoint_follows_every_commit_and_never_goes_back(app, runner, sent_case):
    from refcheck import audit, keystore
    from refcheck.models import utcnow

    with app.app_context():
        head = keystore.read_checkpoint()
        newest = db.session.execute(sa.select(AuditEvent).order_by(AuditEvent.id.desc())).scalars().first()
        assert (head.head_id, head.head_hash) == (newest.id, newest.hash)
        audit.record("test.event", "system")
        db.session.commit()
        assert keystore.read_checkpoint().head_id == newest.id + 1
        # A commit arriving late from another worker does not move it back.
        keystore.advance_checkpoint(newest.id, newest.hash, utcnow())
        assert keystore.read_checkpoint().head_id == newest.id + 1
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0


def test_audit_rolls_back_with_the_change_it_records(app, staff):
    from refcheck import audit

    before = len(_event_ids(app))
    with app.app_context():
        audit.record("case.opened", "staff:1", None)
        db.session.rollback()
    assert len(_event_ids(app)) == before


def test_a_cut_tail_stays_found_after_the_log_grows_again(app, runner, sent_case, caplog):
    from refcheck import audit

    ids = _event_ids(app)
    with app.app_context():
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id.in_(ids[-2:])))
        db.session.commit()
        for n in range(5):  # the service goes on writing as if nothing happened
            audit.record("test.event", "system", n=n)
            db.session.commit()
    assert "no longer reaches its checkpoint" in caplog.text
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"event {ids[-1]}" in result.output


def recorded_actions() -> set[str]:
    """Read every action string passed to audit.record(...) anywhere in refcheck/, from the source."""
    import ast
    from pathlib import Path

    found: set[str] = set()
    for path in Path(__file__).resolve().parent.parent.joinpath("refcheck").rglob("*.py"):
        tree = ast.parse(path.read_text(), str(path))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            for call in ast.walk(function):
                if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute)
                        and call.func.attr == "record" and isinstance(call.func.value, ast.Name)
                        and call.func.value.id == "audit" and call.args):
                    continue
                first = call.args[0]
                if isinstance(first, ast.Name):
                    # An action chosen earlier in the function: every string it may be assigned.
                    values = [node.value for node in ast.walk(function) if isinstance(node, ast.Assign)
                              and any(isinstance(t, ast.Name) and t.id == first.id for t in node.targets)]
                else:
                    values = [first]
                strings = {node.value for value in values for node in ast.walk(value)
                           if isinstance(node, ast.Constant) and isinstance(node.value, str)}
                assert strings, f"{path.name}:{call.lineno}: cannot read which action is recorded"
                found |= strings
    return found


def test_every_recorded_action_has_plain_words():
    from refcheck.audit_words import AUDIT_WORDS

    actions = recorded_actions()
    # The reading itself works: actions written directly, by a condition and through a variable.
    assert {"consent.granted", "candidate.link_resent", "candidate.invited", "finding.disputed"} <= actions
    assert sorted(actions - AUDIT_WORDS.keys()) == []


def test_case_page_shows_audit_events_in_plain_words(app, client, staff, sent_case):
    candidate = app.test_client()
    enter_portal(candidate, sent_case)
    consent(candidate)
    sign_in(client, staff)
    page = client.get(f"/staff/cases/{sent_case.id}").data.decode()
    trail = page[page.index("Audit trail"):]
    assert "The candidate agreed to the check." in trail
    assert "Dana Verifier opened the case." in trail
    assert "consent.granted" not in page and "Consent granted" not in trail
