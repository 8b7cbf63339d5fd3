"""Master key rotation: new versions, re-wrapping in batches, status, retirement and a running peer."""

import json
from pathlib import Path

import sqlalchemy as sa

from refcheck import create_app, crypto
from refcheck.extensions import db
from refcheck.models import Case, DataKey, KeyShare, keyring

from .conftest import OTHER_CANDIDATE, send_case


def _status(runner):
    result = runner.invoke(args=["keys", "status", "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _names(app):
    with app.app_context():
        return sorted(c.candidate.name for c in db.session.execute(sa.select(Case)).scalars())


def test_rotation_rewraps_every_key_in_batches_and_data_stays_readable(app, runner, staff, sent_case):
    send_case(app, staff, OTHER_CANDIDATE)
    send_case(app, staff, ("Third Person", "third@example.org"))
    before = _status(runner)
    assert before["current"] == 1 and before["data_keys_by_version"] == {"1": 3}
    assert before["retirable"] == []
    with app.app_context():
        wrapped_before = {k.id: bytes(k.wrapped) for k in db.session.execute(sa.select(DataKey)).scalars()}

    result = runner.invoke(args=["keys", "rotate", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "Added master key version 2." in result.output
    assert "Re-wrapped 2 of about 3 data keys." in result.output
    assert "Re-wrapped 3 of about 3 data keys." in result.output

    after = _status(runner)
    assert after["current"] == 2 and after["data_keys_by_version"] == {"2": 3}
    assert after["retirable"] == [1]
    with app.app_context():
        for key in db.session.execute(sa.select(DataKey)).scalars():
            assert bytes(key.wrapped) != wrapped_before[key.id]
    assert _names(app) == ["Amira Okafor", "Third Person", "Tomasz Wielgosz"]
    keys_file = Path(app.config["KEYS_FILE"])
    assert sorted(json.loads(keys_file.read_text())["master_keys"]) == ["1", "2"]
    assert keys_file.stat().st_mode & 0o777 == 0o600

    retired = runner.invoke(args=["keys", "retire", "1"])
    assert retired.exit_code == 0, retired.output
    assert sorted(json.loads(keys_file.read_text())["master_keys"]) == ["2"]
    assert _names(app) == ["Amira Okafor", "Third Person", "Tomasz Wielgosz"]
    refused = runner.invoke(args=["keys", "retire", "2"])
    assert refused.exit_code != 0 and "is the newest" in refused.output


def test_a_version_still_in_use_cannot_be_retired(app, runner, sent_case):
    from refcheck import keys

    with app.app_context():
        keys.add_version(app.config)
        db.session.commit()
    refused = runner.invoke(args=["keys", "retire", "1"])
    assert refused.exit_code != 0 and "still wraps 1 data keys" in refused.output
    assert "1" in json.loads(Path(app.config["KEYS_FILE"]).read_text())["master_keys"]
    text = runner.invoke(args=["keys", "status"]).output
    assert "version 1: 1 data keys, configured" in text and "Can be retired: none." in text


def test_a_running_server_reads_keys_rewrapped_by_another_process(app, runner, staff, sent_case):
    with app.app_context():
        assert keyring().current_version == 1  # this process loaded version 1 only
    # Another process (the operator's command) rotates against the same database and keys file.
    operator = create_app({"INSTANCE_PATH": app.instance_path, "TESTING": True,
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "KEYSTORE_URL": app.config["KEYSTORE_URL"]})
    assert operator.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        assert case.data_key.master_version == 2
        assert case.candidate.name == "Amira Okafor"  # loaded version 2 when it met it
        assert keyring().current_version == 2


def test_keys_from_before_the_key_store_are_split_by_rotation(app, runner, sent_case):
    with app.app_context():
        case = db.session.get(Case, sent_case.id)
        key = case.data_key
        plain = key.plaintext_key()
        # Wrapped the old way: by the master key alone, with no share in the key store.
        key.master_version, key.wrapped = keyring().wrap(plain, key.id)
        key.split = False
        db.session.execute(sa.delete(KeyShare).where(KeyShare.id == key.id))
        db.session.commit()
    assert _status(runner)["without_key_store_share"] == 1
    assert runner.invoke(args=["keys", "rotate", "--no-new-version"]).exit_code == 0
    assert _status(runner)["without_key_store_share"] == 0
    with app.app_context():
        key = db.session.get(Case, sent_case.id).data_key
        assert key.split and key.share is not None
        # The master key alone no longer opens it: the share is needed.
        try:
            keyring().unwrap(key.master_version, key.wrapped, key.id)
            opened = True
        except crypto.CryptoError:
            opened = False
        assert not opened
    assert _names(app) == ["Amira Okafor"]


def test_keys_from_the_environment_are_added_by_the_operator(tmp_path, monkeypatch):
    import base64
    import os

    key = base64.b64encode(os.urandom(32)).decode()
    monkeypatch.setenv("REFCHECK_MASTER_KEYS", f"1:{key}")
    monkeypatch.setenv("REFCHECK_LOOKUP_KEY", key)
    app = create_app({"INSTANCE_PATH": str(tmp_path), "TESTING": True,
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})
    with app.app_context():
        db.create_all()
    result = app.test_cli_runner().invoke(args=["keys", "rotate"])
    assert result.exit_code != 0 and "REFCHECK_MASTER_KEYS" in result.output


def test_a_server_that_missed_a_rotation_makes_new_keys_under_the_newest_version(app, staff, sent_case):
    from refcheck.models import StaffUser

    from .conftest import send_case as _send

    with app.app_context():
        assert keyring().current_version == 1
    operator = create_app({"INSTANCE_PATH": app.instance_path, "TESTING": True,
                           "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                           "KEYSTORE_URL": app.config["KEYSTORE_URL"]})
    assert operator.test_cli_runner().invoke(args=["keys", "rotate"]).exit_code == 0
    # This server never met a version-2 key, yet the case it opens now uses version 2.
    fresh = _send(app, staff, OTHER_CANDIDATE)
    with app.app_context():
        assert db.session.get(Case, fresh.id).data_key.master_version == 2
        assert db.session.get(StaffUser, staff.id) is not None
    retire = operator.test_cli_runner().invoke(args=["keys", "retire", "1"])
    assert retire.exit_code == 0, retire.output
    assert _names(app) == ["Amira Okafor", "Tomasz Wielgosz"]


def test_key_store_comparisons_go_a_chunk_at_a_time_and_miss_nothing(app, monkeypatch, staff):
    """The key store and the main database are compared chunk by chunk; every chunk is counted."""
    import datetime as dt

    from refcheck import keys, keystore
    from refcheck.models import DataKey, utcnow

    from .lifecycle_cases import build

    for _ in range(3):
        build(app, staff.id, "awaiting_consent")
    monkeypatch.setattr(keys, "CHUNK", 2)
    with app.app_context():
        split = db.session.execute(sa.select(DataKey.id).where(DataKey.split.is_(True))).scalars().all()
        assert len(split) >= 3
        # Five shares nothing uses, made long ago; and two keys whose shares are gone.
        for n in range(5):
            keystore.store_share(f"{n:032x}", utcnow() - dt.timedelta(days=2))
        keystore.destroy_shares(split[:2])
        assert len(keys.orphan_share_ids(utcnow() - dt.timedelta(days=1))) == 5
        assert keys.missing_share_count() == 2
