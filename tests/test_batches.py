"""Batch work a page at a time: every row once across pages and ties, and a purge longer than a page."""

import datetime as dt

import sqlalchemy as sa

from refcheck import audit, batches
from refcheck.extensions import db
from refcheck.models import AuditEvent, Case, utcnow

from .conftest import OTHER_CANDIDATE, send_case


def test_pages_hand_out_every_row_once_across_pages_and_ties(app, monkeypatch):
    with app.app_context():
        for n in range(7):
            # Three actions over seven rows: the first ordering column ties within a page and across them.
            audit.record(f"test.{'abc'[n % 3]}", "test", None, n=n)
        db.session.commit()
        everything = db.session.execute(sa.select(AuditEvent.action, AuditEvent.id)
                                        .order_by(AuditEvent.action, AuditEvent.id)).all()
        reads = []
        monkeypatch.setattr(batches, "PAGE", 2)
        real_execute = db.session.execute

        def counted(statement, *args, **kwargs):
            reads.append(statement)
            return real_execute(statement, *args, **kwargs)

        monkeypatch.setattr(db.session, "execute", counted)
        paged = list(batches.pages(sa.select(AuditEvent.action, AuditEvent.id),
                                   [AuditEvent.action, AuditEvent.id]))
    assert [tuple(row) for row in paged] == [tuple(row) for row in everything]
    # A page of two at a time, and one more read that finds the end: nothing read twice, nothing all at once.
    assert len(reads) == len(everything) // 2 + 1


def _end(app, case_id, days_ago, erase_after=...):
    """Cancel a case some days ago; set its erasure date (None: from before dates were recorded)."""
    from refcheck import cases

    with app.app_context():
        case = db.session.get(Case, case_id)
        cases.move(case, "cancelled", utcnow() - dt.timedelta(days=days_ago))
        if erase_after is not ...:
            case.erase_after = erase_after
        db.session.commit()


def test_a_purge_goes_through_a_backlog_longer_than_a_page(app, runner, staff, sent_case, monkeypatch):
    monkeypatch.setattr(batches, "PAGE", 2)
    ids = [sent_case.id] + [send_case(app, staff, (f"Candidate {n}", f"c{n}@candidate.example")).id
                            for n in range(5)]
    kept = send_case(app, staff, OTHER_CANDIDATE).id
    same_day = utcnow() - dt.timedelta(days=1)
    for case_id in ids[:3]:
        _end(app, case_id, 200, erase_after=same_day)  # three tied on their erasure date
    _end(app, ids[3], 200, erase_after=None)  # ended before erasure dates were kept: counted from its end
    _end(app, kept, 10)
    # ids[4] and ids[5] were sent and never answered; a year on they are due too.
    later = (utcnow() + dt.timedelta(days=60)).isoformat(timespec="seconds").replace("+00:00", "")

    dry = runner.invoke(args=["retention", "purge", "--dry-run", "--now", later])
    assert dry.exit_code == 0, dry.output
    assert "6 cases would be erased" in dry.output
    assert sorted(int(line.split("RC-")[1][:5]) for line in dry.output.splitlines()
                  if line.startswith("Would erase")) == sorted(ids)

    purge = runner.invoke(args=["retention", "purge", "--now", later])
    assert purge.exit_code == 0 and "6 cases erased" in purge.output, purge.output
    with app.app_context():
        left = set(db.session.execute(sa.select(Case.id)).scalars())
        erased = db.session.execute(sa.select(AuditEvent.case_id).where(
            AuditEvent.action == "case.erased")).scalars().all()
    assert left == {kept} and sorted(erased) == sorted(ids)
