"""Configuration: local mode makes its own keys; production refuses to start without them."""

import base64
import os

import pytest

from refcheck import create_app


def test_production_refuses_to_start_without_keys(tmp_path):
    with pytest.raises(RuntimeError, match="REFCHECK_SECRET_KEY.*REFCHECK_MASTER_KEYS"):
        create_app({"INSTANCE_PATH": str(tmp_path), "MODE": "production"})
    assert not (tmp_path / "keys.json").exists()


def test_production_starts_with_keys_from_the_environment(tmp_path, tmp_path_factory, monkeypatch):
    key = base64.b64encode(os.urandom(32)).decode()
    keystore = tmp_path_factory.mktemp("keystore") / "keys.sqlite"
    monkeypatch.setenv("REFCHECK_KEYSTORE_URL", f"sqlite:///{keystore}")
    monkeypatch.setenv("REFCHECK_MODE", "production")
    monkeypatch.setenv("REFCHECK_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("REFCHECK_MASTER_KEYS", f"1:{key}")
    monkeypatch.setenv("REFCHECK_LOOKUP_KEY", key)
    monkeypatch.setenv("REFCHECK_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("REFCHECK_RATELIMIT_SINGLE_PROCESS", "true")
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.instance_path == str(tmp_path.resolve())
    assert list(tmp_path.iterdir()) == []  # nothing generated in production
    assert keystore.exists()  # the key store's table is made where it was configured


def test_production_refuses_to_start_without_a_key_store(tmp_path, monkeypatch):
    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("REFCHECK_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("REFCHECK_MASTER_KEYS", f"1:{key}")
    monkeypatch.setenv("REFCHECK_LOOKUP_KEY", key)
    with pytest.raises(RuntimeError, match="REFCHECK_KEYSTORE_URL"):
        create_app({"INSTANCE_PATH": str(tmp_path), "MODE": "production"})


def test_local_mode_generates_private_keys_once(tmp_path, caplog):
    with caplog.at_level("WARNING"):
        create_app({"INSTANCE_PATH": str(tmp_path)})
        first = (tmp_path / "keys.json").read_text()
        create_app({"INSTANCE_PATH": str(tmp_path)})
    assert (tmp_path / "keys.json").read_text() == first
    assert (tmp_path / "keys.json").stat().st_mode & 0o777 == 0o600
    assert [r.message for r in caplog.records].count(
        "Generated new encryption keys in the instance folder (local mode).") == 1


def test_instance_config_file_and_environment_are_read_in_order(tmp_path, monkeypatch):
    (tmp_path / "config.py").write_text('CONTROLLER_NAME = "From file"\nJURISDICTION = "IE"\n')
    monkeypatch.setenv("REFCHECK_JURISDICTION", '"DE"')
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["CONTROLLER_NAME"] == "From file"
    assert app.config["JURISDICTION"] == "DE"


def test_database_url_selects_postgresql_with_psycopg(tmp_path, monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "postgresql://u@127.0.0.1:1/x")
    app = create_app({"INSTANCE_PATH": str(tmp_path)})
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_sqlite_runs_with_wal_and_foreign_keys(app):
    from refcheck.extensions import db

    with app.app_context(), db.engine.connect() as conn:
        if conn.dialect.name != "sqlite":
            pytest.skip("SQLite settings")
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_postgresql_key_store_reads_shares_outside_transactions(app):
    from refcheck.extensions import db

    with app.app_context(), db.engines["keys"].connect() as conn:
        if conn.dialect.name == "sqlite":
            pytest.skip("PostgreSQL settings")
        # Each key store statement stands alone: no BEGIN, no ROLLBACK, and nothing left open.
        conn.exec_driver_sql("SELECT count(*) FROM key_share")
        # Inside a transaction now() would be when it began, before this statement.
        assert conn.exec_driver_sql("SELECT now() = statement_timestamp()").scalar() is True


def test_security_headers_on_every_page(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_sign_in_is_rate_limited(app, client):
    from .conftest import csrf_from

    app.config["RATELIMIT_ENABLED"] = True
    from refcheck.extensions import limiter

    limiter.enabled = True
    page = client.get("/staff/login")
    codes = [client.post("/staff/login", data={"csrf_token": csrf_from(page.data),
                                               "email": "x@y.example", "password": "nope"}).status_code
             for _ in range(12)]
    limiter.enabled = False
    assert codes[:10] == [200] * 10 and codes[-1] == 429


def test_production_refuses_a_key_store_inside_the_main_database(tmp_path, monkeypatch):
    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("REFCHECK_SECRET_KEY", "s" * 40)
    monkeypatch.setenv("REFCHECK_MASTER_KEYS", f"1:{key}")
    monkeypatch.setenv("REFCHECK_LOOKUP_KEY", key)
    monkeypatch.setenv("REFCHECK_KEYSTORE_URL", "postgres://keys@localhost:5432/refcheck")
    with pytest.raises(RuntimeError, match="apart from the main one"):
        create_app({"INSTANCE_PATH": str(tmp_path), "MODE": "production",
                    "SQLALCHEMY_DATABASE_URI": "postgresql://app@127.0.0.1/refcheck"})


@pytest.mark.parametrize("method", ["scrypt:1024:8:1", "pbkdf2:sha256:1000", "scrypt:abc", "scrypt:32768",
                                    "scrypt:40000:8:1", "scrypt:32768:1:1", "scrypt:³:8:1",
                                    "scrypt:32768:8:1:9"])
def test_production_refuses_a_password_hash_cheaper_than_the_default(tmp_path, monkeypatch, method):
    key = base64.b64encode(os.urandom(32)).decode()
    keystore = tmp_path / "keys.sqlite"
    for name, value in {"SECRET_KEY": "s" * 40, "MASTER_KEYS": f"1:{key}", "LOOKUP_KEY": key,
                        "KEYSTORE_URL": f"sqlite:///{keystore}", "RATELIMIT_SINGLE_PROCESS": "true",
                        "PASSWORD_HASH_METHOD": method}.items():
        monkeypatch.setenv(f"REFCHECK_{name}", value)
    with pytest.raises(RuntimeError, match="REFCHECK_PASSWORD_HASH_METHOD"):
        create_app({"INSTANCE_PATH": str(tmp_path), "MODE": "production",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    monkeypatch.setenv("REFCHECK_PASSWORD_HASH_METHOD", "scrypt:65536:8:1")
    create_app({"INSTANCE_PATH": str(tmp_path), "MODE": "production",
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
