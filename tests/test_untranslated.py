"""No English is left on a candidate's, referee's or visitor's page in Spanish or French, marked or not.

The catalogue test checks every word that is marked for translation; this one finds words nobody
marked. It walks the same pages as the HTML check, for people who read Spanish or French, and looks
for common English words in what the page says, after taking out what people typed (names,
organisations, the purpose, answers), which stays as they typed it.
"""

from __future__ import annotations

import html
import re

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

from refcheck.extensions import db
from refcheck.mail import SUBJECTS
from refcheck.models import Candidate, Referee
from refcheck.question_sets import STANDARD_V1

from .conftest import CANDIDATE, MANAGER, PG_URL, peer
from .lifecycle_cases import PEOPLE, build
from .test_html_valid import STATES, Pages, candidate_pages_by_state, journey_pages, public_pages

pytestmark = pytest.mark.skipif(bool(PG_URL), reason="the pages' words are checked once, on SQLite")

# Words English sentences cannot do without, and that Spanish and French do not use.
ENGLISH = re.compile(r"\b(the|your|you|and|with|we|our|will|please|this|that|have|has|been|which|who|"
                     r"when|what|from|about|before|after|would|could|should|were|was|are|is|not|can)\b",
                     re.IGNORECASE)
# What people typed, shown as they typed it: the fixtures' names, organisations, roles, answers, questions
# and reasons. The report's questions are the hiring side's, in English, as in the PDF; and the emails the
# data export lists were sent before these cases' candidates were given Spanish or French, in English.
TYPED = sorted({
    "When will my referees be asked?", "The role was withdrawn.",
    *(str(subject) for subject in SUBJECTS.values()),
    *(q["text"] for _relationship, _title, questions in STANDARD_V1 for q in questions),
    CANDIDATE[0], CANDIDATE[1], "Senior Data Engineer", "Northwind Analytics Ltd", "Northwind Analytics",
    "To confirm work history.", "To confirm work history, again.", "Priya Shah, Head of Talent",
    "Built the data platform.", "I have moved on.", "Head of Data", "Data Engineer", "Analytics Engineer",
    "Data Lead", MANAGER["name"], MANAGER["organisation"], MANAGER["job_title"], peer(1)["name"],
    *(p.name for p in PEOPLE.values()), *(p.organisation for p in PEOPLE.values()),
    *(p.job_title for p in PEOPLE.values()),
}, key=len, reverse=True)


def _said(page: str) -> str:
    """Return what a page says to a person: its text and its labels, without markup or typed data."""
    body = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    said = html.unescape(re.sub(r"<[^>]+>", " ", body))
    for typed in TYPED:
        said = said.replace(typed, " ")
    # Each language's own name in the switch, and what refcheck is called.
    return re.sub(r"\s+", " ", said.replace("English", " "))


@pytest.mark.parametrize("language", ["es", "fr"])
def test_no_english_is_left_for_someone_who_reads_spanish_or_french(app, staff, sent_case, language):
    class Reader(FlaskClient):
        """A browser that asks for the language, as a new visitor's does."""

        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.environ_base["HTTP_ACCEPT_LANGUAGE"] = language

    app.test_client_class = Reader
    built = {state: build(app, staff.id, state) for state in STATES}
    with app.app_context():
        # Staff opened these cases for someone who reads the language; referees start in it.
        db.session.execute(sa.update(Candidate).values(language=language))
        db.session.execute(sa.update(Referee).values(language=language))
        db.session.commit()
    pages = Pages()
    public_pages(app, pages)
    journey_pages(app, pages, staff, sent_case)
    candidate_pages_by_state(app, pages, built)
    found = {}
    for name, page in pages.html.items():
        if "<title>Redirecting...</title>" in page:
            continue  # Werkzeug's own page for a redirect, which a browser follows without showing
        assert f'<html lang="{language}">' in page, name
        said = _said(page)
        # Each English word with a little of what is around it, so the sentence can be found.
        found.update({name: [said[max(m.start() - 40, 0):m.end() + 40] for m in ENGLISH.finditer(said)][:4]}
                     if ENGLISH.search(said) else {})
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())
