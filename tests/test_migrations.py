"""The migrations build exactly the schema the models describe."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from refcheck.extensions import db


def test_upgrade_matches_the_models(app):
    with app.app_context():
        db.drop_all()
        upgrade(directory=app.extensions["migrate"].directory)
        with db.engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn), db.metadata)
        assert diff == []
        downgrade(directory=app.extensions["migrate"].directory, revision="base")
        with db.engine.connect() as conn:
            tables = set(db.inspect(conn).get_table_names()) - {"alembic_version"}
        assert tables == set()
        db.create_all()


def test_stage_seconds_are_filled_in_for_cases_made_before_them(app, client, invited, staff, sent_case):
    import sqlalchemy as sa
    from flask_migrate import stamp

    from .conftest import release_case

    release_case(app, client, invited, staff, sent_case, answer="Led the data platform.",
                 reply="Correct.", note="Checked with the referee.")
    columns = ("seconds_awaiting_consent, seconds_nominating, seconds_collecting, seconds_review, "
               "seconds_candidate_review, seconds_to_release")
    with app.app_context():
        read = sa.text(f'SELECT {columns} FROM "case" WHERE id = :id')
        kept = db.session.execute(read, {"id": sent_case.id}).one()
        assert None not in kept
        db.session.remove()
        directory = app.extensions["migrate"].directory
        stamp(directory=directory, revision="head")
        # Back to before the columns existed (they are dropped, the cases stay), then forward again.
        downgrade(directory=directory, revision="0012")
        upgrade(directory=directory)
        assert db.session.execute(read, {"id": sent_case.id}).one() == kept


def test_a_failed_sqlite_migration_leaves_foreign_keys_on(app, staff, sent_case):
    import pytest
    import sqlalchemy as sa
    from flask_migrate import stamp

    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            pytest.skip("foreign keys are a connection setting on SQLite only")
        directory = app.extensions["migrate"].directory
        db.session.remove()
        stamp(directory=directory, revision="head")
        downgrade(directory=directory, revision="0012")
        # A row whose stage times cannot be read makes 0013's backfill fail half-way.
        with db.engine.begin() as conn:
            conn.execute(sa.text('UPDATE "case" SET stage_times = :bad'), {"bad": '{"draft": "yesterday"}'})
        with pytest.raises(ValueError):
            upgrade(directory=directory)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_twins_a_race_stored_before_the_constraints_are_resolved_on_upgrade(app, staff):
    import datetime as dt

    import sqlalchemy as sa
    from flask_migrate import stamp

    from refcheck.models import Consent, Referee

    from .lifecycle_cases import build

    built = build(app, staff.id, "collecting")
    with app.app_context():
        directory = app.extensions["migrate"].directory
        db.session.remove()
        stamp(directory=directory, revision="head")
        downgrade(directory=directory, revision="0014")
        with db.engine.begin() as conn:
            # The tables as revision 0014 left them, not as the models read them now.
            consent_table = sa.Table("consent", sa.MetaData(), autoload_with=conn)
            referee_table = sa.Table("referee", sa.MetaData(), autoload_with=conn)
            # What two racing requests left behind: the consent twice, the manager named twice.
            consent = conn.execute(sa.select(consent_table)).mappings().one()
            # The twin a moment later: the one the candidate's pages showed, so the one that stays.
            later = {**consent, "id": "twin" + consent["id"][4:],
                     "decided_at": consent["decided_at"] + dt.timedelta(seconds=1)}
            conn.execute(sa.insert(consent_table).values(later))
            manager = conn.execute(sa.select(referee_table).where(
                referee_table.c.id == built.referees["manager"])).mappings().one()
            conn.execute(sa.insert(referee_table).values(
                {**manager, "id": "twin" + manager["id"][4:], "state": "invited"}))
        upgrade(directory=directory)
        assert db.session.execute(sa.select(Consent.id)).scalars().all() == [later["id"]]
        states = dict(db.session.execute(sa.select(Referee.id, Referee.state).where(
            Referee.email_hash == manager["email_hash"])).all())
        # The one who answered stays; the twin no longer counts.
        assert states == {manager["id"]: "submitted", "twin" + manager["id"][4:]: "revoked"}


def test_the_chain_is_keyed_on_upgrade_and_checkpointed(app, client, runner, sent_case):
    import sqlalchemy as sa
    from flask_migrate import stamp

    from refcheck import keystore
    from refcheck.keystore import AuditCheckpoint
    from refcheck.models import AuditEvent

    from .conftest import consent, enter_portal

    enter_portal(client, sent_case)
    consent(client)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        keyed = db.session.execute(sa.select(AuditEvent.hash).order_by(AuditEvent.id)).scalars().all()
        db.session.remove()
        stamp(directory=directory, revision="head")
        downgrade(directory=directory, revision="0015")
        plain = db.session.execute(sa.select(AuditEvent.hash).order_by(AuditEvent.id)).scalars().all()
        assert len(plain) == len(keyed) and not set(plain) & set(keyed)
        # A database from before the key store kept a checkpoint.
        db.session.execute(sa.delete(AuditCheckpoint))
        db.session.commit()
        upgrade(directory=directory)
        assert db.session.execute(sa.select(AuditEvent.hash).order_by(AuditEvent.id)).scalars().all() == keyed
        assert keystore.read_checkpoint().head_hash == keyed[-1]
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output


def test_keying_refuses_a_chain_already_broken_and_names_the_event(app, client, sent_case):
    import pytest
    import sqlalchemy as sa
    from flask_migrate import stamp

    from refcheck.models import AuditEvent

    from .conftest import consent, enter_portal

    enter_portal(client, sent_case)
    consent(client)
    with app.app_context():
        directory = app.extensions["migrate"].directory
        db.session.remove()
        stamp(directory=directory, revision="head")
        downgrade(directory=directory, revision="0015")
        ids = db.session.execute(sa.select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
        db.session.execute(sa.delete(AuditEvent).where(AuditEvent.id == ids[2]))
        db.session.commit()
        before = db.session.execute(sa.select(AuditEvent.hash).order_by(AuditEvent.id)).scalars().all()
        db.session.remove()
        # Alembic itself, so the migration's own error is seen (Flask-Migrate logs it and exits).
        from alembic import command

        with pytest.raises(RuntimeError, match=f"already broken at event {ids[3]}"):
            command.upgrade(app.extensions["migrate"].migrate.get_config(directory), "head")
        db.session.remove()
        after = db.session.execute(sa.select(AuditEvent.hash).order_by(AuditEvent.id)).scalars().all()
        assert after == before  # nothing was re-hashed over the break


def test_every_column_an_erasure_follows_has_an_index():
    """Deleting a data key makes the database look in every table that refers to it: each needs an index."""
    missing = []
    for table in db.metadata.sorted_tables:
        leading = {next(iter(index.columns)).name for index in table.indexes}
        leading |= {column.name for column in table.columns if column.primary_key or column.unique}
        for key in table.foreign_keys:
            if key.column.table.name == "data_key" and key.parent.name not in leading:
                missing.append(f"{table.name}.{key.parent.name}")
    assert missing == []


def test_a_concurrent_index_build_stopped_half_way_is_built_again(app, staff):
    """On PostgreSQL the indexes are built CONCURRENTLY; one a stopped build left invalid is rebuilt."""
    import pytest
    import sqlalchemy as sa
    from flask_migrate import stamp

    from .lifecycle_cases import build

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("CONCURRENTLY and invalid indexes are PostgreSQL's")
    build(app, staff.id, "awaiting_consent")
    build(app, staff.id, "awaiting_consent")  # two invitations: two outbox rows of one kind
    with app.app_context():
        db.session.remove()
        directory = app.extensions["migrate"].directory
        stamp(directory=directory, revision="head")
        downgrade(directory=directory, revision="0024")
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            # A unique build over duplicates fails half-way and leaves an invalid index of the name.
            with pytest.raises(sa.exc.IntegrityError):
                conn.exec_driver_sql("CREATE UNIQUE INDEX CONCURRENTLY ix_outbox_data_key_id "
                                     "ON outbox (kind)")
            valid = ("SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                     "WHERE c.relname = %s")
            assert conn.exec_driver_sql(valid, ("ix_outbox_data_key_id",)).scalar_one() is False
        upgrade(directory=directory)
        with db.engine.connect() as conn:
            assert conn.exec_driver_sql(valid, ("ix_outbox_data_key_id",)).scalar_one() is True
            columns = conn.exec_driver_sql(
                "SELECT indexdef FROM pg_indexes WHERE indexname = 'ix_outbox_data_key_id'").scalar_one()
        assert "(data_key_id)" in columns and "UNIQUE" not in columns
