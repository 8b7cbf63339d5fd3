"""The benchmarks' seeder makes a database the service itself would accept: its audit chain verifies."""

from __future__ import annotations

import pytest

from benchmarks import seed_scale
from refcheck.extensions import db

from .conftest import PG_URL, _schema_hashes


def test_a_seeded_database_passes_audit_verify(app):
    seed_scale.seed(app, cases=120, referees=300, progress=False)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit chain intact" in result.output and "matching the checkpoint" in result.output


@pytest.mark.skipif(not PG_URL, reason="only the PostgreSQL load sets indexes and keys aside")
def test_the_seeded_schema_keeps_every_key_index_and_constraint(app):
    # On PostgreSQL the load runs without indexes and keys and makes them again after it: what it makes
    # must be what the schema had, down to each definition.
    with app.app_context():
        before = _schema_hashes()
        db.session.remove()
    seed_scale.seed(app, cases=60, referees=150, progress=False)
    with app.app_context():
        assert _schema_hashes() == before
