"""Every route, for every kind of account and organisation, answers as the README's access matrix says.

The matrix is by access rule (the `access_rule` each view carries): a route whose rule is not in it
fails here, so a new kind of route cannot go in without deciding, and documenting, who may use it.
Refusals are checked on every route and method (a refused POST carries a valid CSRF token, so it is
the rule that refuses, not the token); what is allowed is checked by opening each page that needs
no more than a case number.
"""

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import url_for

from refcheck import accounts, organisations
from refcheck.extensions import db
from refcheck.models import Case

from ..conftest import STAFF_PASSWORD, StaffLogin, csrf_from, sign_in
from ..lifecycle_cases import build

OK, LOGIN, FORBIDDEN, MISSING = "allowed", "sign-in", "403", "404"


@dataclass(frozen=True)
class Person:
    """One column of the matrix: a kind of account and which organisation's cases it works on."""

    key: str
    role: str | None
    organisation: str | None = None  # "A" or "B": a client's own, or the one a verifier is assigned
    org_admin: bool = False


PEOPLE = (
    Person("anonymous", None),
    Person("admin", "admin"),
    Person("verifier of A", "verifier", "A"),
    Person("verifier of all", "verifier"),
    Person("client of A", "client", "A"),
    Person("client admin of A", "client", "A", org_admin=True),
)

README = Path(__file__).resolve().parents[2] / "README.md"
# What a cell of the README's table says, for a case of organisation A and one of organisation B.
CELLS = {"sign-in": (LOGIN, LOGIN), "200": (OK, OK), "403": (FORBIDDEN, FORBIDDEN),
         "A: 200, B: 404": (OK, MISSING)}


def readme_matrix() -> dict[tuple[str, ...], dict[str, tuple[str, str]]]:
    """Read the README's access matrix: access rule -> person -> what they get on A's case and on B's.

    Candidate and referee pages need their own emailed link's session, which no account has: they are
    not in the table, as everyone is refused by the session check, not by a role.
    """
    text = README.read_text(encoding="utf-8")
    table = text[text.index("<!-- access matrix"):text.index("<!-- end of access matrix -->")]
    rows = [[cell.strip() for cell in line.strip("|").split("|")]
            for line in table.splitlines() if line.startswith("|")]
    header, body = rows[0], rows[2:]
    assert header[1:] == [person.key for person in PEOPLE], header
    return {tuple(re.findall(r"`([a-z-]+)`", row[0])): {
        person.key: CELLS[cell] for person, cell in zip(PEOPLE, row[1:], strict=True)} for row in body}


MATRIX = readme_matrix()
# Pages anyone may open, and those only an emailed link's session opens.
OPEN_RULES = {("public",), ("candidate",), ("referee",)}
# The API's routes answer to keys, never to sessions: every person here gets 401 (see below).
API_RULE = ("api-key",)
# Signing in and out, and exchanging an emailed link, are for everyone by design: tests/test_staff.py
# names each of them, and fails for any other route without a rule.
OPEN_BY_DESIGN = {"static", "auth.login", "auth.logout", "two_factor.sign_in_code", "passkeys.sign_in",
                  "portal.open_link",
                  "portal.use_link",
                  "portal.request_link", "portal.sign_out", "referee.open_link", "referee.use_link"}


@pytest.fixture
def world(app, staff):
    """Organisations A and B, a released case of each, and a signed-in browser per person."""
    a_case = build(app, staff.id, "released").case_id
    b_case = build(app, staff.id, "released").case_id
    with app.app_context():
        a = organisations.named("Northwind Analytics Ltd")
        b = organisations.create("Tailspin Logistics", "test")
        # Through the model, as the app changes a case, so the counts by state follow.
        db.session.get(Case, b_case).organisation_id = b.id
        ids = {"A": a.id, "B": b.id}
        logins = {}
        for person in PEOPLE:
            if person.role is None or person.key == "admin":
                continue
            email = person.key.replace(" ", ".") + "@matrix.example"
            chosen = [db.session.get(type(a), ids[person.organisation])] if person.organisation else []
            user = accounts.create_staff(email, person.key, person.role, STAFF_PASSWORD, "test", chosen,
                                         person.org_admin)
            db.session.flush()
            logins[person.key] = StaffLogin(user.id, email, STAFF_PASSWORD)
        db.session.commit()
    logins["admin"] = staff
    browsers = {}
    for person in PEOPLE:
        browser = app.test_client()
        if person.role is not None:
            signed = sign_in(browser, logins[person.key])
            assert signed.status_code == 302, f"{person.key} could not sign in"
        browsers[person.key] = browser
    return browsers, {"own": a_case, "other": b_case}


def _token(browser) -> str:
    """Return a valid CSRF token of this browser's session, from a page every session can open."""
    return csrf_from(browser.get("/staff/login").data)


def _url(app, rule, case_id: int) -> str:
    """Fill a route's arguments: the case given, and ids no row has for everything else."""
    values = {}
    for name, converter in rule._converters.items():  # noqa: SLF001 - the rule's own argument types
        numeric = type(converter).__name__ == "IntegerConverter"
        values[name] = case_id if name == "case_id" else 999999 if numeric else "f" * 43
    with app.test_request_context():
        return url_for(rule.endpoint, **values)


def _outcome(response) -> str:
    """Say what a response means for access: allowed, sent to sign in, forbidden or missing."""
    if response.status_code in (302, 303) and response.headers["Location"].endswith("/staff/login"):
        return LOGIN
    if response.status_code == 403:
        return FORBIDDEN
    if response.status_code == 404:
        return MISSING
    assert response.status_code < 500, response.status_code
    return OK


def test_every_route_and_role_answers_as_the_access_matrix_says(app, world):
    browsers, cases = world
    tokens = {key: _token(browser) for key, browser in browsers.items()}
    checked = {"allowed": 0, "refused": 0}
    for rule in app.url_map.iter_rules():
        if rule.endpoint in OPEN_BY_DESIGN:
            continue
        access_rule = getattr(app.view_functions[rule.endpoint], "access_rule", None)
        if tuple(access_rule or ()) in OPEN_RULES or tuple(access_rule or ()) == API_RULE:
            continue
        assert tuple(access_rule or ()) in MATRIX, f"{rule.rule} has a rule the access matrix does not know"
        only_a_case = set(rule.arguments) <= {"case_id"}
        for person in PEOPLE:
            own, other = MATRIX[tuple(access_rule)][person.key]
            for which, expected in (("own", own), ("other", other)):
                if which == "other" and "case_id" not in rule.arguments:
                    continue
                browser, url = browsers[person.key], _url(app, rule, cases[which])
                for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                    if expected == OK and (method != "GET" or not only_a_case):
                        continue  # opening is checked; acting would change the world the next check sees
                    if expected == MISSING and not only_a_case:
                        continue  # a made-up row id is missing for everyone
                    data = {"csrf_token": tokens[person.key]} if method == "POST" else None
                    got = _outcome(browser.open(url, method=method, data=data))
                    assert got == expected, f"{person.key} {method} {url} ({which}): {got}, not {expected}"
                    checked["allowed" if expected == OK else "refused"] += 1
    assert checked["allowed"] > 10 and checked["refused"] > 100


def test_no_session_opens_an_api_route(app, world):
    """A signed-in person of any kind is no API key: every API route and method answers 401, in JSON."""
    browsers, cases = world
    tried = 0
    for rule in app.url_map.iter_rules():
        if tuple(getattr(app.view_functions[rule.endpoint], "access_rule", ())) != API_RULE:
            continue
        url = rule.rule.replace("<int:check_id>", str(cases["own"])).replace("<int:package_id>", "1")
        for person in PEOPLE:
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
                answer = browsers[person.key].open(url, method=method, json={})
                assert answer.status_code == 401, (person.key, method, url, answer.status_code)
                assert answer.mimetype == "application/problem+json"
                tried += 1
    assert tried >= 9 * len(PEOPLE)
