"""The cross-verification engine on small cases, and its command."""

import json

import pytest

from refcheck.crossverify import Finding, coverage, normalise_employer, normalise_title, verify
from refcheck.finding_words import explain, value_words


def ref(id_, relationship, **facts):
    return {"id": id_, "relationship": relationship, "facts": facts}


def finding(findings, fact):
    return next(f for f in findings if f.fact == fact)


def test_two_agreeing_referees_corroborate():
    f = finding(
        verify(
            {"employer": "Northwind Analytics Ltd"},
            [
                ref("a", "manager", employer="Northwind Analytics"),
                ref("b", "peer", employer="northwind analytics, limited"),
            ],
        ),
        "employer",
    )
    assert (f.status, f.severity) == ("corroborated", "none")
    assert "The candidate's manager and a peer confirmed the employer." == f.explanation
    assert [s.source for s in f.sources] == ["candidate", "a", "b"]


def test_one_agreeing_referee_is_a_single_source():
    f = finding(
        verify(
            {"title": "Senior Data Engineer"},
            [ref("a", "manager", title="Sr. Data Eng."), ref("b", "peer", title="unknown")],
        ),
        "title",
    )
    assert f.status == "single_source" and f.severity == "low"


def test_seniority_change_is_a_conflict():
    f = finding(
        verify(
            {"title": "Senior Data Engineer"},
            [ref("a", "manager", title="Senior Data Engineer"), ref("b", "peer", title="Data Engineer")],
        ),
        "title",
    )
    assert (f.status, f.severity) == ("conflict", "high")
    assert f.explanation == ("The candidate stated the job title as Senior Data Engineer; a peer remembers "
                             "Data Engineer; the candidate's manager agreed with the candidate.")
    assert [s.agrees for s in f.sources[1:]] == [True, False]


@pytest.mark.parametrize(
    ("claimed", "said", "status", "difference"),
    [
        ("2021-09", "2021-09", "single_source", None),
        ("2021-09", "2021-11", "single_source", "2 months apart"),
        ("2021-09", "2021-12", "conflict", "3 months apart"),
    ],
)
def test_months_agree_within_the_tolerance_and_the_difference_is_listed(claimed, said, status, difference):
    f = finding(verify({"start_month": claimed}, [ref("a", "manager", start_month=said)]), "start_month")
    assert f.status == status
    assert f.sources[1].difference == difference


def test_tolerance_is_configurable_and_large_gaps_are_high():
    assert (
        finding(
            verify({"start_month": "2021-01"}, [ref("a", "peer", start_month="2021-04")], tolerance_months=3),
            "start_month",
        ).status
        == "single_source"
    )
    far = finding(
        verify({"start_month": "2021-01"}, [ref("a", "peer", start_month="2022-05")]), "start_month"
    )
    assert (far.status, far.severity) == ("conflict", "high")
    near = finding(
        verify({"start_month": "2021-01"}, [ref("a", "peer", start_month="2021-05")]), "start_month"
    )
    assert near.severity == "medium"


def test_dont_know_everywhere_is_unverified():
    f = finding(
        verify(
            {"end_month": "2025-08"},
            [ref("a", "manager", end_month="unknown"), ref("b", "peer", end_month="unknown")],
        ),
        "end_month",
    )
    assert f.status == "unverified"
    assert f.explanation == ("No referee could confirm the end date; "
                             "it rests on the candidate's own statement.")


def test_referees_disagreeing_on_an_unclaimed_fact_is_a_conflict():
    f = finding(
        verify({}, [ref("a", "manager", rehire_eligible="yes"), ref("b", "peer", rehire_eligible="no")]),
        "rehire_eligible",
    )
    assert (f.status, f.severity) == ("conflict", "high")
    assert f.explanation == ("The referees answered differently about eligibility for re-employment: "
                             "the candidate's manager said yes; a peer said no.")
    agree = finding(
        verify({}, [ref("a", "manager", rehire_eligible="yes"), ref("b", "peer", rehire_eligible="yes")]),
        "rehire_eligible",
    )
    assert agree.status == "corroborated"


def test_explanations_name_people_in_the_third_person_and_count_alike_referees():
    findings = verify(
        {"start_month": "2021-09", "title": "Data Engineer", "relationship": "manager"},
        [
            {"id": "a", "relationship": "peer",
             "facts": {"start_month": "2021-11", "title": "Lead Data Engineer", "relationship": "peer"}},
            ref("b", "peer", start_month="2021-09", title="Principal Data Engineer"),
            ref("c", "direct_report", start_month="2021-09", title="Data Engineer"),
            ref("d", "mentor", rehire_eligible="yes"),
        ],
    )
    start = finding(findings, "start_month")
    assert start.kind == "minor_difference"
    assert start.explanation == ("Two peers and a direct report agree on the start date; a peer said "
                                 "November 2021, two months apart from the candidate's September 2021.")
    title = finding(findings, "title")
    assert title.explanation == ("The candidate stated the job title as Data Engineer; a peer remembers Lead "
                                 "Data Engineer, and one other referee also differs; a direct report agreed "
                                 "with the candidate.")
    # Naming the referee by the relationship in question would take a side.
    assert finding(findings, "relationship").explanation == (
        "The candidate stated the working relationship as manager; the referee remembers peer.")
    assert finding(findings, "rehire_eligible").explanation == (
        "A referee answered yes about eligibility for re-employment.")
    for f in findings:
        assert not {"you", "your"} & set(f.explanation.lower().replace(";", " ").split()), f.explanation


def test_reason_for_leaving_compares_categories():
    f = finding(
        verify({"reason_for_leaving": "resigned"}, [ref("a", "manager", reason_for_leaving="dismissed")]),
        "reason_for_leaving",
    )
    assert f.status == "conflict" and "remembers dismissal." in f.explanation
    same = finding(
        verify({"reason_for_leaving": "laid_off"}, [ref("a", "manager", reason_for_leaving="laid_off")]),
        "reason_for_leaving",
    )
    assert same.status == "single_source"


def test_one_finding_per_fact_in_claims_or_any_referee():
    findings = verify(
        {"employer": "A"},
        [ref("a", "peer", title="X"), {"id": "b", "relationship": "peer", "facts": {"relationship": "peer"}}],
    )
    assert [f.fact for f in findings] == ["employer", "title", "relationship"]
    assert finding(findings, "employer").status == "unverified"


def test_normalisation():
    assert normalise_employer("The Contoso Retail PLC.") == normalise_employer("contoso retail")
    assert normalise_employer("Smith & Sons GmbH") == normalise_employer("Smith and Sons")
    assert normalise_employer("Northwind") != normalise_employer("Northwind Traders")
    assert normalise_title("VP, Eng.") == "vice president engineer"
    assert normalise_title("Jr Dev") == normalise_title("Junior Developer")
    assert normalise_title("Engineering Mgr") == "engineering manager"


def test_coverage_of_required_relationships():
    assert coverage({"manager": 1, "peer": 1}, [ref("a", "manager"), ref("b", "peer")])["covered"]
    gap = coverage({"manager": 1, "peer": 2}, [ref("a", "manager"), ref("b", "peer")])
    assert gap == {"covered": False, "missing": {"peer": 1}, "have": {"manager": 1, "peer": 1}}


def test_crossverify_command(runner, tmp_path):
    path = tmp_path / "case.json"
    path.write_text(
        json.dumps(
            {
                "claims": {
                    "employer": "Northwind Analytics Ltd",
                    "title": "Senior Data Engineer",
                    "start_month": "2021-09",
                },
                "referees": [
                    {
                        "id": "r1",
                        "relationship": "manager",
                        "facts": {
                            "employer": "Northwind Analytics",
                            "title": "Sr Data Engineer",
                            "start_month": "2021-10",
                        },
                    },
                    {
                        "id": "r2",
                        "relationship": "peer",
                        "facts": {
                            "employer": "NORTHWIND ANALYTICS",
                            "title": "Data Engineer",
                            "start_month": "unknown",
                            "rehire_eligible": "yes",
                        },
                    },
                ],
            }
        )
    )
    result = runner.invoke(args=["crossverify", "compare", str(path)])
    assert result.exit_code == 0, result.output
    out = json.loads(result.output)
    statuses = {f["fact"]: f["status"] for f in out["findings"]}
    assert statuses == {
        "employer": "corroborated",
        "title": "conflict",
        "start_month": "single_source",
        "rehire_eligible": "single_source",
    }
    for item in out["findings"]:
        assert set(item) >= {"fact", "status", "severity", "explanation", "sources"}
    bad = tmp_path / "bad.json"
    bad.write_text("[1, 2]")
    assert runner.invoke(args=["crossverify", "compare", str(bad)]).exit_code != 0


def test_a_difference_within_the_tolerance_is_a_minor_difference_said_with_both_months():
    f = finding(verify({"end_month": "2023-08"}, [ref("a", "manager", end_month="2023-06")]), "end_month")
    # It agrees (nothing to resolve before sending), but it is its own kind, not a plain confirmation.
    assert (f.status, f.kind) == ("single_source", "minor_difference")
    assert not f.agrees_with_claim
    assert f.explanation == ("The candidate's manager agrees on the end date, two months apart "
                             "(June 2023 against the candidate's August 2023).")
    assert explain(f, for_candidate=True) == (
        "Your manager agrees on the end date, two months apart (June 2023 against your August 2023).")
    exact = finding(verify({"end_month": "2023-08"}, [ref("a", "manager", end_month="2023-08")]), "end_month")
    assert (exact.kind, exact.agrees_with_claim) == ("single_source", True)
    assert exact.explanation == "The candidate's manager confirmed the end date."


def test_a_finding_frozen_before_minor_differences_had_a_name_reads_as_one():
    # What a finding stored by an earlier version holds: the old sentence, a status of agreement.
    stored = {"heading": "Engineer at Contoso", "explanation": "The candidate's manager confirmed the end "
              "date (within the tolerance: 2 months apart).", "sources": [
                  {"source": "candidate", "relationship": None, "value": "2023-08", "agrees": None,
                   "difference": None, "label": "Candidate"},
                  {"source": "r1", "relationship": "manager", "value": "2023-06", "agrees": True,
                   "difference": "2 months apart", "label": "Manager at Contoso"}]}
    old = Finding.from_stored("end_month", "single_source", "low", stored)
    assert old.kind == "minor_difference"
    assert explain(old) == ("The candidate's manager agrees on the end date, two months apart "
                            "(June 2023 against the candidate's August 2023).")


def test_the_candidate_reads_every_kind_of_finding_addressed_to_them():
    findings = verify(
        {"title": "Senior Data Engineer", "end_month": "2024-06", "reason_for_leaving": "resigned",
         "employer": "Northwind"},
        [ref("a", "manager", title="Senior Data Engineer", end_month="2024-01", reason_for_leaving="laid_off",
             employer="unknown"),
         ref("b", "peer", title="Data Engineer", end_month="2024-06", reason_for_leaving="resigned",
             employer="unknown")],
    )
    words = {f.fact: explain(f, for_candidate=True) for f in findings}
    assert words["title"] == ("You gave the job title as Senior Data Engineer; a peer remembers Data "
                              "Engineer; your manager agreed with you.")
    assert words["end_month"] == ("You gave the end date as June 2024; your manager remembers January 2024 "
                                  "(five months apart); a peer agreed with you.")
    # Reasons in words, never the code: 'laid_off' is not shown.
    assert words["reason_for_leaving"] == ("You gave the reason for leaving as resignation; your manager "
                                           "remembers redundancy (laid off); a peer agreed with you.")
    assert words["employer"] == "No referee could confirm the employer; it rests on your own statement."
    for sentence in words.values():
        assert "candidate" not in sentence and "_" not in sentence, sentence
        assert not any(char.isdigit() for char in sentence.replace("2024", "")), sentence


def test_values_are_written_in_words():
    assert value_words("end_month", "2023-08") == "August 2023"
    assert value_words("worked_together_from", "2021-03") == "March 2021"
    assert value_words("reason_for_leaving", "contract_ended") == "end of contract"
    assert value_words("relationship", "direct_report") == "direct report"
    assert value_words("rehire_eligible", True) == "yes"
    assert value_words("end_month", "unknown") == "did not know"
    assert value_words("title", "Data Engineer") == "Data Engineer"


def test_the_evaluation_set_meets_the_goals(runner):
    # The real scenarios of tests/data/crossverify.jsonl, as `flask crossverify evaluate` scores them.
    result = runner.invoke(args=["crossverify", "evaluate"])
    assert result.exit_code == 0, result.output
    assert "| fact | scenarios | right | accuracy | conflicts called agree |" in result.output
    assert "| independent |" in result.output and "| team |" in result.output
    assert "Goals met" in result.output


def _scenarios():
    from refcheck.crossverify_eval import DATA

    return [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_the_evaluation_set_has_enough_scenarios_of_every_kind():
    scenarios = _scenarios()
    assert len(scenarios) >= 100
    assert sum(s["written_by"] == "team" for s in scenarios) >= 60
    assert sum(s["written_by"] == "independent" for s in scenarios) >= 60
    assert {s["expected"] for s in scenarios} == {"agree", "minor_difference", "conflict"}
    assert any(s.get("aliases") for s in scenarios)


def test_a_wrong_label_fails_the_evaluation_and_is_shown(runner, tmp_path):
    scenarios = _scenarios()
    # A real seniority change labelled as agreement: the matcher calls it a conflict, so it misses.
    wrong = {"id": "wrong-1", "fact": "title", "claim": "Senior Data Engineer", "referees": ["Data Engineer"],
             "expected": "agree", "reason": "labelled wrongly on purpose", "written_by": "team"}
    path = tmp_path / "bad.jsonl"
    path.write_text("\n".join(json.dumps(s) for s in [*scenarios[:3], wrong]) + "\n", encoding="utf-8")
    result = runner.invoke(args=["crossverify", "evaluate", "--data", str(path), "--show"])
    assert result.exit_code == 1, result.output
    assert "Goals not met" in result.output
    assert "- wrong-1 (title): labelled agree, called conflict" in result.output


def test_a_conflict_called_agree_fails_even_at_high_accuracy(tmp_path):
    from refcheck import crossverify_eval

    scenarios = [crossverify_eval._scenario({"id": f"ok-{n}", "fact": "employer", "claim": f"Firm {n} GmbH",
                                             "referees": [f"Firm {n}"], "expected": "agree"})
                 for n in range(20)]
    # A label saying conflict where the answers agree: read as a real conflict the matcher let through.
    let_through = crossverify_eval._scenario({"id": "x", "fact": "employer", "claim": "Acme Ltd",
                                              "referees": ["Acme"], "expected": "conflict"})
    result = crossverify_eval.evaluate([*scenarios, let_through])
    assert crossverify_eval.accuracy(result.of_fact("employer")) >= 0.95
    assert not result.meets_goals


def test_a_scenarios_file_that_is_not_one_is_refused_by_line(runner, tmp_path):
    path = tmp_path / "broken.jsonl"
    path.write_text('{"id": "a", "fact": "title", "claim": "x", "referees": ["x"], "expected": "agree"}\n'
                    '{"id": "b", "fact": "salary", "claim": "1", "referees": ["1"], "expected": "agree"}\n')
    result = runner.invoke(args=["crossverify", "evaluate", "--data", str(path)])
    assert result.exit_code != 0
    assert "line 2: unknown fact 'salary'" in result.output
