"""Rate limits hold however many worker processes serve the app, or production does not start."""

import base64
import os
import uuid

import pytest

from refcheck import create_app

from ..conftest import csrf_from
from ..faults.conftest import HttpBrowser, gunicorn, gunicorn_env
from ..test_hardening import REDIS_URL, _redis_or_skip


def _production(tmp_path) -> dict:
    key = base64.b64encode(os.urandom(32)).decode()
    return {"MODE": "production", "SECRET_KEY": "s" * 48, "MASTER_KEYS": f"1:{key}", "LOOKUP_KEY": key,
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'main.sqlite'}",
            "KEYSTORE_URL": f"sqlite:///{tmp_path / 'keys.sqlite'}"}


def test_production_refuses_limits_kept_in_each_process_and_says_what_to_set(tmp_path):
    with pytest.raises(RuntimeError, match="rate limits kept in each process's memory") as refused:
        create_app(_production(tmp_path))
    assert "REFCHECK_RATELIMIT_STORAGE_URI=redis://" in str(refused.value)
    assert "REFCHECK_RATELIMIT_SINGLE_PROCESS=true" in str(refused.value)


def test_production_starts_with_memory_limits_when_told_there_is_one_process(tmp_path):
    app = create_app({**_production(tmp_path), "RATELIMIT_SINGLE_PROCESS": True})
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_four_gunicorn_workers_in_production_hold_the_sign_in_limit_together(app, tmp_path):
    redis_client = _redis_or_skip()
    prefix = f"refcheck-test-{uuid.uuid4().hex}"
    key = base64.b64encode(os.urandom(32)).decode()
    env = gunicorn_env(app)
    env.update({"REFCHECK_MODE": "production", "REFCHECK_SECRET_KEY": "s" * 48,
                "REFCHECK_MASTER_KEYS": f"1:{key}", "REFCHECK_LOOKUP_KEY": key,
                "REFCHECK_RATELIMIT_ENABLED": "true", "REFCHECK_RATELIMIT_STORAGE_URI": REDIS_URL,
                "REFCHECK_RATELIMIT_KEY_PREFIX": prefix})
    env.pop("REFCHECK_KEYS_FILE", None)
    try:
        with gunicorn(env, tmp_path / "gunicorn.log", workers=4, threads=2) as server:
            browser = HttpBrowser(server.base, secure_cookies_over_http=True)
            token = csrf_from(browser.get("/staff/login")[1])
            # Thirty wrong passwords as fast as one client can send them, spread over four workers.
            statuses = [browser.post("/staff/login", {"csrf_token": token, "email": "x@verify.example",
                                                      "password": "wrong" * 4})[0] for _ in range(30)]
            served_by = {line.split()[0] for line in server.log_text().splitlines()
                         if " POST /staff/login " in line}
    finally:
        for stored in redis_client.scan_iter(f"*{prefix}*"):
            redis_client.delete(stored)
    assert len(served_by) >= 2, "the attempts were not spread over several workers"
    # The limit is ten a minute for the whole service, not ten per worker.
    assert len([s for s in statuses if s != 429]) == 10
    assert statuses[10:] == [429] * 20
