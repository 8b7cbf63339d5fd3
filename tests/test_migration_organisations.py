"""Migration 0019 makes organisations of the names cases were opened with; on PostgreSQL writes go on."""

import threading
import time

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, stamp, upgrade

from refcheck.extensions import db
from refcheck.models import Case, Organisation, StaffUser

from .conftest import make_staff, send_case


def _back_to_0018(app):
    """Stamp the test database as current, then take it back to before organisations existed."""
    directory = app.extensions["migrate"].directory
    db.session.remove()
    stamp(directory=directory, revision="head")
    downgrade(directory=directory, revision="0018")
    return directory


def test_one_organisation_per_name_however_spelled_and_every_case_points_at_its_own(app, staff):
    verifier = make_staff(app, "val@verify.example", role="verifier")
    first = send_case(app, staff)
    second = send_case(app, staff, ("Tomasz Wielgosz", "tomasz.w@elsewhere.example"))
    with app.app_context():
        directory = _back_to_0018(app)
        cases = sa.table("case", sa.column("id"), sa.column("hiring_organisation"),
                         sa.column("organisation_key"))
        # Written before organisations existed: one name in two spellings, and another name.
        db.session.execute(cases.update().where(cases.c.id == first.id).values(
            hiring_organisation="Northwind Analytics Ltd", organisation_key="northwind analytics ltd"))
        db.session.execute(cases.update().where(cases.c.id == second.id).values(
            hiring_organisation="NORTHWIND  analytics ltd", organisation_key="northwind analytics ltd"))
        db.session.commit()
        db.session.remove()
        upgrade(directory=directory)
        names = db.session.execute(sa.select(Organisation.name_key)).scalars().all()
        assert names.count("northwind analytics ltd") == 1
        owner = db.session.execute(sa.select(Case.organisation_id).where(Case.id.in_((first.id, second.id)))
                                   ).scalars().all()
        assert len(set(owner)) == 1 and owner[0] is not None
        assert db.session.get(Organisation, owner[0]).name_key == "northwind analytics ltd"
        # Verifiers saw every case before: they still do, until an admin assigns them organisations.
        assert db.session.get(StaffUser, verifier.id).all_organisations is True


def test_on_postgresql_cases_stay_writable_while_the_organisations_are_filled_in(app, staff):
    sent = send_case(app, staff)
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite has one writer at a time: there is nothing to share")
        directory = _back_to_0018(app)
        with db.engine.begin() as conn:
            # Enough cases for the fill to take batches and a while; copies of the one real case.
            columns = [c for c in conn.execute(sa.text('SELECT * FROM "case" LIMIT 0')).keys() if c != "id"]
            listed = ", ".join(f'"{c}"' for c in columns)
            conn.execute(sa.text(f'INSERT INTO "case" ({listed}) SELECT {listed} FROM "case", '
                                 f"generate_series(1, 30000) WHERE id = :id"), {"id": sent.id})
        db.session.remove()
        failures, writes, done, engine = [], [], threading.Event(), db.engine

        def write_while_migrating():
            # Someone working on a case: each write may wait a moment, never long.
            while not done.is_set():
                try:
                    with engine.begin() as conn:
                        conn.exec_driver_sql("SET LOCAL lock_timeout = '3s'")
                        conn.execute(sa.text('UPDATE "case" SET position = position WHERE id = :id'),
                                     {"id": sent.id})
                    writes.append(time.monotonic())
                except sa.exc.OperationalError as err:
                    failures.append(str(err))
                time.sleep(0.01)

        worker = threading.Thread(target=write_while_migrating)
        worker.start()
        try:
            upgrade(directory=directory)
        finally:
            done.set()
            worker.join()
        assert failures == []
        assert len(writes) > 5
        missing = db.session.execute(sa.select(sa.func.count()).select_from(Case).where(
            Case.organisation_id.is_(None))).scalar_one()
        assert missing == 0
        with db.engine.connect() as conn:
            nullable = conn.execute(sa.text(
                "SELECT is_nullable FROM information_schema.columns "
                "WHERE table_name = 'case' AND column_name = 'organisation_id'")).scalar_one()
        assert nullable == "NO"
