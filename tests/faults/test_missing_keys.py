"""Production mode without its encryption keys refuses to start, says what is missing, makes no keys."""

import base64
import os
import subprocess
import sys

import pytest

from refcheck import create_app

from ..conftest import free_port
from .conftest import ROOT

KEY = base64.b64encode(os.urandom(32)).decode()


@pytest.fixture
def production_env(monkeypatch, tmp_path_factory):
    """Production settings apart from the keys; returns the (empty) instance folder."""
    for name in list(os.environ):
        if name.startswith("REFCHECK_") or name == "DATABASE_URL":
            monkeypatch.delenv(name)
    instance = tmp_path_factory.mktemp("instance")
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    monkeypatch.setenv("REFCHECK_MODE", "production")
    monkeypatch.setenv("REFCHECK_SECRET_KEY", "s" * 48)
    monkeypatch.setenv("REFCHECK_INSTANCE_PATH", str(instance))
    monkeypatch.setenv("REFCHECK_DATABASE_URL", f"sqlite:///{elsewhere / 'refcheck.sqlite'}")
    monkeypatch.setenv("REFCHECK_KEYSTORE_URL", f"sqlite:///{elsewhere / 'keystore.sqlite'}")
    monkeypatch.setenv("REFCHECK_RATELIMIT_SINGLE_PROCESS", "true")
    return instance


@pytest.mark.parametrize(("present", "named", "not_named"), [
    ({}, ["REFCHECK_MASTER_KEYS", "REFCHECK_LOOKUP_KEY"], ["REFCHECK_SECRET_KEY"]),
    ({"REFCHECK_MASTER_KEYS": f"1:{KEY}"}, ["REFCHECK_LOOKUP_KEY"], ["REFCHECK_MASTER_KEYS"]),
    ({"REFCHECK_LOOKUP_KEY": KEY}, ["REFCHECK_MASTER_KEYS"], ["REFCHECK_LOOKUP_KEY"]),
], ids=["no keys", "no look-up key", "no master key"])
def test_production_without_a_key_refuses_to_start_and_names_it(production_env, monkeypatch, present, named,
                                                               not_named):
    for name, value in present.items():
        monkeypatch.setenv(name, value)
    with pytest.raises(RuntimeError, match="will not start in production mode") as refused:
        create_app()
    message = str(refused.value)
    assert all(name in message for name in named)
    assert not any(name in message for name in not_named)
    assert KEY not in message
    assert list(production_env.iterdir()) == []  # no keys, no secret, no database made in their place


def test_production_with_a_missing_keys_file_refuses_to_start(production_env, monkeypatch, tmp_path):
    missing = tmp_path / "secrets" / "keys.json"
    monkeypatch.setenv("REFCHECK_KEYS_FILE", str(missing))
    with pytest.raises(OSError, match="keys.json"):
        create_app()
    assert not missing.exists() and list(production_env.iterdir()) == []


def test_gunicorn_in_production_without_keys_exits_and_says_why(production_env):
    port = free_port()
    result = subprocess.run(  # noqa: S603 - fixed arguments
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--no-control-socket",
         "--bind", f"127.0.0.1:{port}", "refcheck:create_app()"],
        cwd=ROOT, env=dict(os.environ), capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
    assert "will not start in production mode without: REFCHECK_MASTER_KEYS" in result.stderr
    assert list(production_env.iterdir()) == []
