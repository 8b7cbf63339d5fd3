"""Scope rules and the plain-words description, on plain values."""

from dataclasses import replace

from refcheck.scope import Scope

from .conftest import default_scope


def test_a_sound_scope_has_no_errors_and_reads_plainly():
    scope = default_scope()
    assert scope.errors() == {}
    text = " ".join(sentence for _, sentence in scope.describe())
    assert "at least 1 manager and 1 peer" in text
    assert "you may also choose a client" in text
    assert "January 2021 and October 2026" in text
    assert "180 days after the case ends" in text


def test_never_one_witness():
    one = replace(default_scope(), min_referees=1)
    assert "never rely on one witness" in one.errors()["min_referees"]
    single = replace(default_scope(), relationships={"manager": 2})
    assert "two different relationships" in single.errors()["relationships"]


def test_limits_and_formats():
    errors = replace(default_scope(), max_referees=1, period_from="2021-13", retention_days=3000,
                     question_set="nope", report_recipients=" ", checks=()).errors()
    assert set(errors) == {"max_referees", "period_from", "retention_days", "question_set",
                           "report_recipients", "checks"}


def test_json_round_trip_keeps_the_fingerprint():
    scope = default_scope()
    again = Scope.from_json(scope.to_json())
    assert again == scope and again.fingerprint() == scope.fingerprint()
    assert replace(scope, retention_days=181).fingerprint() != scope.fingerprint()
