"""The benchmarks' seeder makes a database the service itself would accept: its audit chain verifies."""

from __future__ import annotations

from benchmarks import seed_scale


def test_a_seeded_database_passes_audit_verify(app):
    seed_scale.seed(app, cases=120, referees=300, progress=False)
    result = app.test_cli_runner().invoke(args=["audit", "verify"])
    assert result.exit_code == 0, result.output
    assert "Audit chain intact" in result.output and "matching the checkpoint" in result.output
