"""A raw copy of the database (the SQLite file with its WAL, or pg_dump) holds no answer, name or email."""

import os
import shutil
import subprocess

import pytest

from refcheck.extensions import db

from ..conftest import CANDIDATE, MANAGER, PG_URL, peer
from .conftest import release_case

ANSWER = "Distinctive answer Zanzibar-4471 about the data platform"
REPLY = "Distinctive reply Quokka-9920 from the candidate"
NOTE = "Distinctive resolution Wombat-3318 written by staff"
CLAIM_EMPLOYER = "Northwind Analytics Ltd"  # the candidate's own claim, sealed


def _secrets(invited, sent_case) -> list[str]:
    tokens = [path.rsplit("/", 1)[1] for path in invited.values()] + [sent_case.token]
    return [*CANDIDATE, "Amira", "Okafor", "amira.okafor", "candidate.example", MANAGER["name"],
            MANAGER["email"], "Lindqvist", peer(1)["email"], "Head of Data", ANSWER, "Zanzibar-4471",
            REPLY, "Quokka-9920", NOTE, "Wombat-3318", "Built the data platform", "%PDF", *tokens]


def _assert_nothing_in_clear(raw: bytes, secrets: list[str], where: str) -> None:
    for value in secrets:
        # As text, as UTF-16, and as the hex a dump writes for binary columns.
        for encoded in (value.encode(), value.encode("utf-16-le"), value.encode().hex().encode()):
            assert encoded not in raw, f"{value!r} is in {where} in clear"


def _take_to_release(app, client, invited, staff, sent_case):
    release_case(app, client, invited, staff, sent_case, answer=ANSWER, reply=REPLY, note=NOTE,
                 signal_note="Both answered from the test network; checked.")


@pytest.mark.skipif(bool(PG_URL), reason="reads the SQLite file itself; pg_dump covers PostgreSQL")
def test_raw_sqlite_file_and_wal_hold_no_answers_names_or_emails(app, client, invited, staff, sent_case,
                                                                tmp_path):
    _take_to_release(app, client, invited, staff, sent_case)
    assert client.get("/portal/report.pdf").status_code == 200
    files = sorted(tmp_path.glob("*.sqlite*"))
    assert any(f.name.endswith("-wal") for f in files)  # the write-ahead log is read as well
    live = b"".join(f.read_bytes() for f in files)
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    settled = b"".join(f.read_bytes() for f in sorted(tmp_path.glob("*.sqlite*")))
    assert len(live) > 10_000 and len(settled) > 10_000
    secrets = _secrets(invited, sent_case)
    _assert_nothing_in_clear(live, secrets, "the live SQLite files")
    _assert_nothing_in_clear(settled, secrets, "the SQLite file")


PG_DUMP = shutil.which("pg_dump") or "/usr/bin/pg_dump"


@pytest.mark.skipif(not PG_URL, reason="runs only when the suite runs on PostgreSQL")
@pytest.mark.skipif(not os.path.exists(PG_DUMP), reason="pg_dump is not installed")
def test_pg_dump_holds_no_answers_names_or_emails(app, client, invited, staff, sent_case):
    _take_to_release(app, client, invited, staff, sent_case)
    dump = subprocess.run([PG_DUMP, "--no-owner", "--dbname", PG_URL], capture_output=True, check=True,
                          timeout=120).stdout
    assert b"COPY public.response" in dump and b"COPY public.referee" in dump
    assert len(dump) > 10_000
    _assert_nothing_in_clear(dump, _secrets(invited, sent_case), "pg_dump's output")
