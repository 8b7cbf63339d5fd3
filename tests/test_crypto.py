"""Encryption at rest: sealed values are bound to their row and column, and fail cleanly when moved."""

import pytest
import sqlalchemy as sa

from refcheck import crypto
from refcheck.extensions import db
from refcheck.models import Candidate, DataKey

from .conftest import OTHER_CANDIDATE, send_case


def _candidates(app):
    return db.session.execute(sa.select(Candidate).order_by(Candidate.created_at)).scalars().all()


def test_ciphertext_moved_to_another_row_fails_to_decrypt(app, staff):
    send_case(app, staff)
    send_case(app, staff, OTHER_CANDIDATE)
    with app.app_context():
        first, second = _candidates(app)
        assert first.email == "amira.okafor@candidate.example"
        # An attacker with write access copies one row's ciphertext into another row.
        db.session.execute(sa.update(Candidate).where(Candidate.id == second.id)
                           .values(email_enc=first.email_enc))
        db.session.commit()
        db.session.expire_all()
        second = db.session.get(Candidate, second.id)
        with pytest.raises(crypto.CryptoError, match="another data key|does not decrypt"):
            second.email  # noqa: B018


def test_ciphertext_moved_to_another_column_of_the_same_row_fails(app, staff):
    send_case(app, staff)
    with app.app_context():
        (candidate,) = _candidates(app)
        candidate.email_enc = candidate.name_enc
        db.session.commit()
        db.session.expire_all()
        with pytest.raises(crypto.CryptoError, match="candidate/.*/email_enc: does not decrypt here"):
            db.session.get(Candidate, candidate.id).email  # noqa: B018


def test_a_flipped_byte_fails_without_revealing_plaintext(app, staff):
    send_case(app, staff)
    with app.app_context():
        (candidate,) = _candidates(app)
        blob = bytearray(candidate.name_enc)
        blob[-1] ^= 0x01
        candidate.name_enc = bytes(blob)
        with pytest.raises(crypto.CryptoError) as caught:
            candidate.name  # noqa: B018
        assert "Amira" not in str(caught.value)


def test_values_name_their_data_key_and_keys_are_stored_wrapped(app, staff):
    send_case(app, staff)
    with app.app_context():
        (candidate,) = _candidates(app)
        assert crypto.sealed_key_id(candidate.email_enc) == candidate.data_key_id
        key = db.session.get(DataKey, candidate.data_key_id)
        plain = key.plaintext_key()
        assert plain not in key.wrapped and len(plain) == 32


def test_destroying_the_data_key_makes_the_case_unreadable(app, staff):
    send_case(app, staff)
    with app.app_context():
        (candidate,) = _candidates(app)
        candidate.data_key.wrapped = None
        with pytest.raises(crypto.KeyDestroyed):
            candidate.name  # noqa: B018


def test_a_wrapped_key_cannot_be_moved_to_another_key_row(app, staff):
    send_case(app, staff)
    send_case(app, staff, OTHER_CANDIDATE)
    with app.app_context():
        first, second = _candidates(app)
        second.data_key.wrapped = first.data_key.wrapped
        with pytest.raises(crypto.CryptoError, match="does not unwrap"):
            second.name  # noqa: B018


def test_lookup_hash_is_keyed_and_normalised(app):
    with app.app_context():
        ring = app.extensions["refcheck.keyring"]
        assert ring.lookup_hash(" Amira.Okafor@Candidate.example ") == ring.lookup_hash(
            "amira.okafor@candidate.example")
    other = crypto.KeyRing(master_keys={1: b"k" * 32}, lookup_key=b"l" * 32)
    assert other.lookup_hash("a@b.example") != ring.lookup_hash("a@b.example")


def test_newest_master_key_wraps_and_old_ones_still_unwrap():
    old = crypto.KeyRing(master_keys={1: b"a" * 32}, lookup_key=b"x" * 32)
    key_id, key = crypto.new_data_key()
    version, wrapped = old.wrap(key, key_id)
    rotated = crypto.KeyRing(master_keys={1: b"a" * 32, 2: b"b" * 32}, lookup_key=b"x" * 32)
    assert rotated.unwrap(version, wrapped, key_id) == key
    assert rotated.wrap(key, key_id)[0] == 2


def test_a_sealer_seals_many_values_as_seal_does_each_bound_to_its_place():
    key_id, key = crypto.new_data_key()
    sealer = crypto.Sealer(key, key_id)
    first = sealer.seal("referee/r1/details_enc", {"name": "Ann"})
    second = sealer.seal("claim/c1/facts_enc", "x")
    assert crypto.open_sealed(key, key_id, "referee/r1/details_enc", first) == {"name": "Ann"}
    assert crypto.open_sealed(key, key_id, "claim/c1/facts_enc", second) == "x"
    assert crypto.sealed_key_id(first) == key_id and first[:17] == crypto.seal(key, key_id, "a", 1)[:17]
    with pytest.raises(crypto.CryptoError):
        crypto.open_sealed(key, key_id, "referee/r2/details_enc", first)
