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


def test_nomination_within_scope():
    from refcheck.scope import Nominee, nomination_problems, still_needed

    scope = default_scope()  # 2..4 referees; at least a manager and a peer; client allowed
    manager = Nominee("manager", "m")
    assert still_needed(scope, []) == ["1 manager", "1 peer"]
    assert still_needed(scope, [manager]) == ["1 peer"]
    assert nomination_problems(scope, [manager], Nominee("peer", "p"), "me") == {}
    assert "allows only a manager, a peer or a client" in nomination_problems(
        scope, [], Nominee("direct_report", "d"), "me")["relationship"]
    assert "your own email" in nomination_problems(scope, [], Nominee("peer", "me"), "me")["email"]
    assert "already named" in nomination_problems(scope, [manager], Nominee("peer", "m"), "me")["email"]
    full = [Nominee("manager", str(i)) for i in range(4)]
    assert "at most 4 referees" in nomination_problems(scope, full, Nominee("peer", "x"), "me")["referees"]
    three = replace(scope, min_referees=3)
    assert still_needed(three, [manager]) == ["1 peer", "1 more of any allowed relationship"]


def test_optional_relationships_read_as_a_sentence():
    scope = replace(default_scope(), relationships={"manager": 1, "peer": 1, "direct_report": 0,
                                                    "client": 0, "other": 0})
    assert ("you may also choose a person who reported to you, a client or another colleague."
            in scope.referee_sentence())


def test_answers_are_grouped_unless_the_scope_says_attributed():
    grouped = default_scope()
    assert grouped.attribution == "grouped" and grouped.grouped
    lines = dict(grouped.describe())
    assert "grouped by relationship, without employers" in lines["How referees are shown"]
    assert "at least 2 referees of a relationship" in lines["How referees are shown"]
    attributed = replace(grouped, attribution="attributed")
    assert not attributed.grouped
    assert "may recognise who said what" in dict(attributed.describe())["How referees are shown"]
    assert attributed.fingerprint() != grouped.fingerprint()
    assert replace(grouped, attribution="by name").errors() == {
        "attribution": "Choose how referees' answers are shown."}


def test_referees_read_what_the_candidate_will_see():
    grouped = default_scope()
    words = grouped.referee_attribution("manager", "Contoso", "Amira")
    assert "Never under your name" in words and "“their manager at Contoso”" in words
    assert "together with those of other managers, and only when at least 2 answered" in words
    attributed = replace(grouped, attribution="attributed").referee_attribution("peer", "Contoso", "Amira")
    assert "Amira may well recognise you" in attributed


def test_a_scope_agreed_before_the_choice_reads_and_hashes_as_agreed():
    # What a consent stored before the setting existed: no "attribution" key.
    agreed = {key: value for key, value in default_scope().to_json().items() if key != "attribution"}
    old = Scope.from_json(agreed)
    assert old.attribution == "" and old.to_json() == agreed
    assert "How referees are shown" not in dict(old.describe())  # the words the candidate agreed to
    assert old.errors() == {}
    assert old.grouped  # its referees were promised "not under your name": no lone column
