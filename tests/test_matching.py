"""The fact matcher on its own: job titles, employers and months as people write them, and why they match."""

import pytest

from refcheck.crossverify import Finding, Source, verify
from refcheck.employers import Alias, AliasBook, compare_employers
from refcheck.likeness import compare
from refcheck.periods import compare_months, months_apart, parse_period
from refcheck.title_words import OCCUPATIONS
from refcheck.titles import compare_titles


def ref(id_, **facts):
    return {"id": id_, "relationship": "peer", "facts": facts}


@pytest.mark.parametrize(("claim", "other", "why"), [
    ("Senior Data Engineer", "Sr. Data Eng.", "'Sr.' is short for 'Senior'"),
    ("Manager, Marketing", "Marketing Manager", "the same words in another order"),
    ("Head of Marketing", "Marketing Head", "the same words in another order"),
    ("Programme Manager", "Program Manager", "'Programme' is the British spelling of 'Program'"),
    ("Organisation Development Lead", "Organization Development Lead", "British spelling"),
    ("Software Engineer II", "Software Engineer 2", "'II' and '2' are the same level"),
    ("Front-End Developer", "Frontend Developer", "are one word"),
    ("Software Developer", "Software Engineer", "alternate titles of one occupation (O*NET 15-1252.00"),
    ("Registered Nurse", "Staff Nurse", "O*NET 29-1141.00"),
    ("VP of Engineering", "Vice President, Engineering", "'VP' is short for 'Vice President'"),
    ("PM", "Project Manager", "'PM' is short for 'Project Manager'"),
    ("Lorry Driver", "HGV Driver", "8211"),
    ("data analyst", "Data Analyst", "only case and punctuation differ"),
])
def test_titles_written_differently_agree_and_say_why(claim, other, why):
    agrees, said = compare_titles(claim, other)
    assert agrees
    assert said.startswith("same title: ") and why in said


@pytest.mark.parametrize(("claim", "other"), [
    ("Senior Software Engineer", "Software Engineer"),  # seniority
    ("Software Engineer II", "Software Engineer III"),  # level
    ("Lead Designer", "Senior Designer"),
    ("Principal Engineer", "Staff Engineer"),
    ("Head of Finance", "Finance Manager"),
    ("Director of Engineering", "VP Engineering"),
    ("Assistant Store Manager", "Store Manager"),
    ("Marketing Manager", "Sales Manager"),  # function
    ("QA Engineer", "Software Engineer"),  # role
    ("Project Manager", "Product Manager"),
    ("Project Manager", "Programme Manager"),
    ("Registered Nurse", "Nurse Practitioner"),
    ("Assistant to the Director", "Assistant Director"),
    ("Engineer", "Developer"),  # no field named: not one occupation
])
def test_a_change_of_function_role_or_seniority_stays_a_conflict(claim, other):
    assert compare_titles(claim, other) == (False, None)


def test_no_alternate_title_hides_a_change_of_seniority():
    titles = [title for occupation in OCCUPATIONS for title in occupation.titles]
    assert len(titles) == len(set(titles)), "a title in two groups is read as whichever came last"
    for occupation in OCCUPATIONS:
        for title in occupation.titles:
            for other in occupation.titles:
                plain, senior = " ".join(title), " ".join(other)
                assert compare_titles(plain, senior)[0], (plain, senior)
                assert not compare_titles(plain, f"Senior {senior}")[0], (plain, senior)
                assert not compare_titles(f"Junior {plain}", f"Lead {senior}")[0], (plain, senior)


@pytest.mark.parametrize(("claim", "other", "why"), [
    ("Brandt Logistik GmbH", "Brandt Logistik", "legal form 'GmbH' left out"),
    ("Harwood Foods Limited", "Harwood Foods Ltd.", "legal forms 'Limited' and 'Ltd.' left out"),
    ("PKO Bank Polski Sp. z o.o.", "PKO Bank Polski", "legal form 'Sp. z o.o.' left out"),
    ("Grupo Bimbo, S.A.B. de C.V.", "Grupo Bimbo", "legal form 'S.A.B. de C.V.' left out"),
    ("Sakura Denki K.K.", "Sakura Denki Kabushiki Kaisha", "'K.K.'"),
    ("Oy Lahti Puu Ab", "Lahti Puu Oy", "legal form"),
    ("Koala Freight (Pty) Ltd", "Koala Freight", "'(Pty) Ltd'"),
    ("Baker & Finch", "Baker and Finch", "'&' read as 'and'"),
    ("The Riverside Trust", "Riverside Trust", "a leading 'The' left out"),
    ("Café Lumière", "Cafe Lumiere", "accents left out"),
    ("Meridian Intl", "Meridian International", "'Intl' is short for 'International'"),
    ("Westfield Data Centre", "Westfield Data Center", "British and American spellings"),
    ("Müller Präzisionstechnik", "Mueller Praezisionstechnik", "written out ('ue')"),
    ("PricewaterhouseCoopers", "Pricewaterhouse Coopers", "spaced differently"),
])
def test_employers_written_differently_agree_and_say_why(claim, other, why):
    agrees, said = compare_employers(claim, other)
    assert agrees
    assert said.startswith("same employer: ") and why in said


@pytest.mark.parametrize(("claim", "other"), [
    ("Northwind Analytics", "Northwind Traders"),
    ("Kestrel Holdings", "Kestrel"),  # a holding company is a parent: only through the mapping
    ("Alder Bank UK Ltd", "Alder Bank Group plc"),
    ("Solberg Marine", "Solberg Marin"),
    ("Wellcome Trust", "Wellcome"),  # "Trust" is part of the name, not a legal form
    ("A.O. Smith", "Smith"),
])
def test_different_employers_conflict(claim, other):
    assert compare_employers(claim, other) == (False, None)


def test_other_names_agree_only_through_the_staff_mapping_and_say_so():
    line = {"name": "Corvid Systems", "same_as": "Halcyon Data Ltd", "relation": "former_name"}
    assert compare_employers("Halcyon Data", "Corvid Systems Ltd") == (False, None)
    agrees, why = compare_employers("Halcyon Data", "Corvid Systems Ltd", AliasBook([line]))
    assert agrees and why == "Corvid Systems is a former name of Halcyon Data Ltd (staff mapping)"
    # A chain of lines: a trading name of the company whose parent is named.
    chain = AliasBook([line, {"name": "Halcyon Group", "same_as": "Halcyon Data", "relation": "parent"}])
    agrees, why = compare_employers("Halcyon Group plc", "Corvid Systems", chain)
    assert agrees and why == ("Halcyon Group is the parent company of Halcyon Data (staff mapping); "
                              "Corvid Systems is a former name of Halcyon Data Ltd (staff mapping)")
    assert not compare_employers("Halcyon Data", "Thyme Kitchen", chain)[0]


@pytest.mark.parametrize(("typed", "words", "kind"), [
    ("2021-03", "March 2021", "month"), ("03/2021", "March 2021", "month"), ("Mar 21", "March 2021", "month"),
    ("March '21", "March 2021", "month"), ("15/03/2021", "March 2021", "month"),
    ("March 15, 2021", "March 2021", "month"), ("2021", "2021", "year"), ("Q1 2021", "Q1 2021", "quarter"),
    ("2021 Q3", "Q3 2021", "quarter"), ("2021QIV", "Q4 2021", "quarter"),
    ("early 2021", "early 2021", "part"),
    ("Present", "present", "present"), ("still there", "present", "present"), ("now", "present", "present"),
])
def test_months_are_read_as_people_type_them(typed, words, kind):
    period = parse_period(typed)
    assert (period.words, period.kind) == (words, kind)


def test_a_day_month_order_that_cannot_be_told_is_not_guessed():
    assert parse_period("05/03/2021") is None
    assert parse_period("soon") is None


@pytest.mark.parametrize(("claim", "other", "expected"), [
    ("2021", "2021-07", (True, None, "2021 contains July 2021")),
    ("Q1 2021", "February 2021", (True, None, "Q1 2021 contains February 2021")),
    ("2021", "2022-02", (True, "2 months apart", "December 2021, the nearest month of 2021, is 2 months "
                                                  "from February 2022")),
    ("Q1 2021", "2021-05", (True, "2 months apart", "March 2021, the nearest month of Q1 2021, is 2 months "
                                                     "from May 2021")),
    ("2021", "2022-04", (False, "4 months apart", None)),
    ("2021-03", "2021-05", (True, "2 months apart", None)),
    ("2021-03", "03/2021", (True, None, "the same month: March 2021")),
    ("2021-03", "2021-03", (True, None, None)),
    ("present", "Still there", (True, None, "both say the person is still there")),
    ("present", "2023-06", (False, None, None)),
    ("present", "2024", (False, None, None)),
])
def test_years_quarters_and_present_compare_as_the_labelling_rules_say(claim, other, expected):
    assert tuple(compare_months(claim, other, 2)) == expected


def test_months_apart_counts_from_the_nearest_months():
    assert months_apart("2021", "2022-02") == 2
    assert months_apart("Q1 2021", "2021-02") == 0
    assert months_apart("present", "2021-02") is None


def test_choices_compare_by_meaning():
    assert compare("reason_for_leaving", "laid_off", "made redundant").agrees
    assert not compare("reason_for_leaving", "resigned", "dismissed").agrees
    assert compare("relationship", "manager", "Line manager").agrees
    assert compare("rehire_eligible", True, "yes").agrees


def test_each_source_says_why_it_matches_and_the_why_survives_freezing():
    findings = verify({"title": "Senior Data Engineer", "employer": "Brandt Logistik GmbH"},
                      [ref("a", title="Sr. Data Engineer", employer="Brandt Logistik"),
                       ref("b", title="Data Engineer", employer="Brandt Logistik GmbH")])
    title = next(f for f in findings if f.fact == "title")
    assert [s.why for s in title.sources] == [None, "same title: 'Sr.' is short for 'Senior'", None]
    employer = next(f for f in findings if f.fact == "employer")
    # Written exactly alike: nothing to explain.
    assert [s.why for s in employer.sources] == [None, "same employer: legal form 'GmbH' left out", None]
    stored = {"sources": [s.to_json() for s in title.sources]}
    assert stored["sources"][1]["why"] == "same title: 'Sr.' is short for 'Senior'"
    again = Finding.from_stored("title", title.status, title.severity, stored)
    assert [s.why for s in again.sources] == [s.why for s in title.sources]
    # A source frozen before matches said why reads with none.
    old = Source.from_json({"source": "a", "relationship": "peer", "value": "x", "agrees": True,
                            "difference": None})
    assert old.why is None


def test_referees_a_little_apart_with_nothing_claimed_are_a_minor_difference():
    finding = verify({}, [ref("a", start_month="2020-01"), ref("b", start_month="Feb 2020")])[0]
    assert (finding.status, finding.kind) == ("corroborated", "minor_difference")
    assert finding.explanation == ("Two peers agree on the start date, a little apart: a peer said January "
                                   "2020; a peer said February 2020.")


def test_referees_named_through_the_mapping_agree_with_each_other():
    aliases = [{"name": "Crumbs and Co", "same_as": "Pennine Bakeries", "relation": "trading_name"}]
    finding = verify({}, [ref("a", employer="Pennine Bakeries Ltd"), ref("b", employer="Crumbs & Co")],
                     aliases=aliases)[0]
    assert finding.status == "corroborated"
    assert finding.sources[1].why == "Crumbs and Co is a trading name of Pennine Bakeries (staff mapping)"
    assert "gave the same answer" in finding.explanation
    without = verify({}, [ref("a", employer="Pennine Bakeries Ltd"), ref("b", employer="Crumbs & Co")])[0]
    assert without.status == "conflict"


def test_still_there_against_a_month_they_left_is_a_high_conflict():
    finding = verify({"end_month": "present"}, [ref("a", end_month="2023-06")])[0]
    assert (finding.status, finding.severity) == ("conflict", "high")


def test_a_parent_links_its_subsidiaries_to_it_but_not_to_each_other():
    book = AliasBook([Alias("Berkshire Hathaway", "GEICO", "parent"),
                      Alias("Berkshire Hathaway", "Dairy Queen", "parent"),
                      Alias("Government Employees Insurance Company", "GEICO", "trading_name")])
    assert compare_employers("GEICO", "Berkshire Hathaway Inc.", book)[0]
    # A former or trading name chains with one parent link ...
    assert compare_employers("Government Employees Insurance Company", "Berkshire Hathaway", book)[0]
    # ... but two subsidiaries of one parent are two employers.
    assert compare_employers("GEICO", "Dairy Queen", book) == (False, None)


@pytest.mark.parametrize(("claim", "other"), [
    ("Manager in Training", "Training Manager"),
    ("Executive Assistant", "Assistant Executive"),
    ("Attorney General", "General Attorney"),
])
def test_titles_with_the_same_words_in_another_role_conflict(claim, other):
    # Only a comma, "of" or a dash turns a title round; otherwise the last word names the role.
    assert compare_titles(claim, other) == (False, None)
