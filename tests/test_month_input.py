"""Months as people type them on a phone, error summaries that link to each problem, ratings read back."""

import html as htmllib
import re

import pytest
import sqlalchemy as sa

from refcheck.dates import month
from refcheck.extensions import db
from refcheck.models import Claim, Referee, Response
from refcheck.months import MONTH_MESSAGE, month_problem, normalise_month

from .conftest import (
    MANAGER,
    attest_referee,
    consent,
    csrf_from,
    enter_portal,
    enter_referee,
    full_answers,
    nominate,
    peer,
)

TYPED = ["2021-03", "202103", "03/2021", "3/2021", "2021/03", "Mar 2021", "March 2021", " march  2021 ",
         "MAR. 2021", "2021-3", "03.2021", "03-2021", "2021\u201303", "032021", "2021 March"]


@pytest.mark.parametrize("typed", TYPED)
def test_the_ways_people_type_a_month_all_read_as_march_2021(typed):
    assert normalise_month(typed) == "2021-03"
    assert month_problem(normalise_month(typed)) is None


@pytest.mark.parametrize("typed", ["13/2021", "2021-13", "2021-00", "0/2021", "202113", "03/21", "2021",
                                   "Marchember 2021", "next March", "", "2021-03-01"])
def test_what_is_not_a_month_stays_as_typed_and_is_refused(typed):
    assert normalise_month(typed) == typed.strip()
    assert month_problem(normalise_month(typed)) == MONTH_MESSAGE


@pytest.mark.parametrize("typed", ["1850-03", "03/1850", "185003", "2100-01", "0021-03"])
def test_a_year_out_of_range_is_refused(typed):
    assert month_problem(normalise_month(typed)) == (
        "Check the year. Give the month and year, for example 03/2021.")


def test_nothing_but_text_is_touched():
    assert normalise_month(None) is None
    assert month_problem(None) == MONTH_MESSAGE


# ---------------------------------------------------------------- the candidate's forms


@pytest.fixture
def candidate(app, client, sent_case):
    enter_portal(client, sent_case)
    consent(client)
    return client


def _claims(app):
    with app.app_context():
        return [(c.facts["start_month"], c.facts["end_month"])
                for c in db.session.execute(sa.select(Claim)).scalars()]


def _history(client, **data):
    page = client.get("/portal/history")
    return client.post("/portal/history", data={**data, "csrf_token": csrf_from(page.data)})


def test_month_fields_offer_a_keyboard_with_a_slash_and_say_what_to_type(candidate):
    for url in ("/portal/history", "/portal/referees"):
        page = candidate.get(url).data.decode()
        months = re.findall(r'<input[^>]*id="(?:start_month|end_month|worked_from|worked_to)"[^>]*>', page)
        assert len(months) == 2
        for tag in months:
            assert 'inputmode="text"' in tag and 'type="text"' in tag and "numeric" not in tag
            assert "-hint" in tag  # the hint is read out with the field
        assert "Month and year, for example March 2021 or 03/2021." in page and "YYYY-MM" not in page


def test_work_history_takes_the_month_as_typed_on_a_phone(app, candidate):
    saved = _history(candidate, employer="Northwind Analytics", title="Data Engineer",
                     start_month="03/2022", end_month="June 2024", reason_for_leaving="resigned")
    assert saved.status_code == 303
    assert b"March 2022 to June 2024" in candidate.get("/portal/history").data
    assert _claims(app) == [("2022-03", "2024-06")]


@pytest.mark.parametrize(("start", "message"), [
    ("13/2022", MONTH_MESSAGE),
    ("1850-03", "Check the year."),
    ("2099-01", "This month has not happened yet."),
    ("", MONTH_MESSAGE),
])
def test_work_history_still_refuses_what_is_not_a_real_past_month(app, candidate, start, message):
    refused = _history(candidate, employer="Northwind", title="Engineer", start_month=start)
    page = refused.data.decode()
    assert refused.status_code == 422 and message in htmllib.unescape(page)
    # What was typed is shown back to be fixed, a real month in words as every page writes months.
    assert f'value="{month(start)}"' in page or not start
    assert _claims(app) == []


def test_a_referee_is_nominated_with_months_typed_on_a_phone(app, candidate):
    saved = nominate(candidate, **{**MANAGER, "worked_from": "Jan 2022", "worked_to": "202406"})
    assert saved.status_code == 303
    refused = nominate(candidate, **{**peer(1), "worked_from": "2022-01", "worked_to": "2024/13"})
    assert refused.status_code == 422 and MONTH_MESSAGE in htmllib.unescape(refused.data.decode())
    with app.app_context():
        (referee,) = db.session.execute(sa.select(Referee)).scalars().all()
        assert (referee.details["worked_from"], referee.details["worked_to"]) == ("2022-01", "2024-06")


# ---------------------------------------------------------------- the referee's questionnaire


def _questionnaire(app, invited):
    browser = enter_referee(app, invited["Grace Lindqvist"])
    return browser, attest_referee(browser).data.decode()


def test_the_questionnaire_takes_months_as_typed_and_reads_back_both_ends_of_a_rating(app, invited):
    browser, page = _questionnaire(app, invited)
    assert "<h1>Reference questions about Amira Okafor</h1>" in page and "<h1>Your answers</h1>" not in page
    assert "<title>Reference questions about Amira Okafor" in page
    answers = full_answers(page)
    start = next(k for k in answers if k.endswith("_from"))
    rating = re.search(r'name="(q\d+)"[^>]*type="radio" value="1"', page).group(1)
    answers.update({start: "03/2022", start[:-5] + "_to": "Jun 2024", rating: "4"})
    sent = browser.post("/referee", data=answers)
    assert sent.status_code == 303
    with app.app_context():
        stored = db.session.execute(sa.select(Response)).scalar_one().unseal("answers_enc")["answers"]
    assert stored[start[1:-5]] == {"from": "2022-03", "to": "2024-06"}

    back = htmllib.unescape(browser.get("/referee/answers").data.decode())
    assert "<title>Your answers" in back and "<h1>Your answers</h1>" in back
    assert "March 2022 to June 2024" in back
    assert ('4 of 5<span class="muted">, where 1 is \u201cWell below what the role needed\u201d '
            "and 5 is \u201cWell above what the role needed\u201d</span>") in back
    assert "out of 5" not in back


def test_the_questionnaire_refuses_month_13_and_lists_every_problem_as_a_link(app, invited):
    browser, page = _questionnaire(app, invited)
    answers = full_answers(page)
    start = next(k for k in answers if k.endswith("_from"))
    rating = re.search(r'name="(q\d+)"[^>]*type="radio" value="1"', page).group(1)
    essay = re.search(r'<textarea[^>]*name="(q\d+)"', page).group(1)
    del answers[rating], answers[essay]
    answers[start] = "13/2022"
    refused = browser.post("/referee", data=answers)
    html = refused.data.decode()
    assert refused.status_code == 422 and "<title>Error: Reference questions" in html
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(Response)).scalar_one() == 0

    summary = re.search(r'<div class="flash flash-error error-summary" role="alert">(.*?)</div>', html, re.S)
    assert summary, "the error summary is missing"
    links = re.findall(r'<li><a href="#([^"]+)">([^<]+)</a><br>([^<]+)</li>', summary.group(1))
    assert [target for target, *_ in links] == sorted(
        [f"{rating}-0", essay, start], key=lambda target: html.index(f'id="{target}"'))
    by_target = {target: (htmllib.unescape(label), message) for target, label, message in links}
    texts = {number: htmllib.unescape(text) for number, text in
             re.findall(r'<legend><span class="progress">(Question \d+) of \d+</span> ([^<]+)', html)}
    for target, (label, _) in by_target.items():
        assert re.search(rf'<(input|textarea)[^>]* id="{target}"', html), target  # the link lands on a field
        number, _, text = label.partition(": ")
        assert texts[number.replace(", first month", "")] == text.strip()
    assert by_target[f"{rating}-0"][1] == "Please answer this question."
    assert by_target[essay][1] == "Please answer this question."
    assert htmllib.unescape(by_target[start][1]) == MONTH_MESSAGE
    assert by_target[start][0].startswith("Question ") and ", first month: " in by_target[start][0]
    # The typed slip is shown back to be fixed, and each field's own error is read out with it.
    assert 'value="13/2022"' in html
    assert f'aria-describedby="{essay}-error"' in html and f'id="{rating}-error"' in html


def test_other_forms_list_their_problems_by_label_with_links(app, client):
    page = client.get("/staff/login")
    refused = client.post("/staff/login", data={"csrf_token": csrf_from(page.data), "email": "",
                                                "password": ""})
    html = refused.data.decode()
    assert "Nothing has been saved yet." in html
    assert re.search(r'<li><a href="#email">Email</a><br>[^<]+</li>', html)
    assert re.search(r'<li><a href="#password">Password</a><br>[^<]+</li>', html)
    assert 'href="#csrf_token"' not in html


def test_one_date_style_for_days_months_and_spans():
    """Pages, emails and the report write dates one way: '6 December 2026', 'August 2023', '… to now'."""
    import datetime as dt

    from refcheck import dates
    moment = dt.datetime(2026, 12, 6, 14, 5, 9, 123456, tzinfo=dt.UTC)
    assert dates.day(moment) == "6 December 2026"
    assert dates.day(dt.date(2026, 3, 1)) == "1 March 2026"
    assert dates.day_time(moment) == "6 December 2026, 14:05 UTC"
    assert dates.month("2023-08") == "August 2023" and dates.month("about 2019") == "about 2019"
    assert dates.period("2022-04", "2026-10") == "April 2022 to October 2026"
    assert dates.period("2022-04", None) == "April 2022 to now"
    assert dates.machine(moment) == "2026-12-06T14:05:09Z"  # HTML's <time> refuses microseconds
