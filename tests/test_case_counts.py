"""The case list's counts by state are kept with every change, and read without counting the cases."""

from __future__ import annotations

import re

import sqlalchemy as sa

from refcheck import privacy
from refcheck.extensions import db
from refcheck.models import Case, CaseCount, utcnow

from .conftest import count_queries, make_staff, sign_in
from .lifecycle_cases import build


def _shown(client) -> dict[str, int]:
    """Return the counts the list's filters show, by their words."""
    html = client.get("/staff/").data.decode()
    return {name.strip(): int(count.replace(",", "")) for name, count in
            re.findall(r'>([A-Za-z ]+?)\s*<span class="count">([\d,]+)</span>', html)}


def _kept(app) -> dict[str, int]:
    """Return the kept counts by state, summed over organisations."""
    with app.app_context():
        return {state: int(total) for state, total in db.session.execute(
            sa.select(CaseCount.state, sa.func.sum(CaseCount.count)).group_by(CaseCount.state)) if total}


def test_the_list_counts_cases_as_they_move_and_as_they_are_erased(app, client):
    login = make_staff(app)
    sign_in(client, login)
    built = {state: build(app, login.id, state) for state in ("draft", "collecting", "released")}
    build(app, login.id, "released")
    # Each case but the draft also has a question from its candidate waiting (lifecycle_cases.build).
    assert _shown(client) == {"All": 4, "Draft": 1, "Collecting": 1, "Released": 2, "Questions waiting": 3}
    with app.app_context():
        privacy.erase_case(built["released"].case_id, built["released"].staff, "test", utcnow())
        db.session.commit()
    assert _shown(client) == {"All": 3, "Draft": 1, "Collecting": 1, "Released": 1, "Questions waiting": 2}
    assert _kept(app) == {"draft": 1, "collecting": 1, "released": 1}
    # The organisations page reads the same kept counts.
    assert "3 cases ·" in client.get("/staff/organisations").data.decode()


def test_a_change_rolled_back_is_not_counted(app):
    login = make_staff(app)
    built = build(app, login.id, "collecting")
    with app.app_context():
        case = db.session.get(Case, built.case_id)
        case.state = "review"
        db.session.flush()
        db.session.rollback()
        # The next transaction's commit writes its own changes only.
        db.session.commit()
    assert _kept(app) == {"collecting": 1}


def test_a_state_set_without_reading_it_first_moves_the_right_count(app):
    login = make_staff(app)
    built = build(app, login.id, "review")
    with app.app_context():
        # The state was never loaded: the count it leaves must still be known.
        case = db.session.execute(
            sa.select(Case).where(Case.id == built.case_id).options(sa.orm.load_only(Case.id))).scalar_one()
        case.state = "cancelled"
        db.session.commit()
    assert _kept(app) == {"cancelled": 1}


def test_the_counts_cost_the_same_queries_for_few_or_many_cases(app, client):
    login = make_staff(app)
    sign_in(client, login)
    build(app, login.id, "collecting")
    client.get("/staff/")
    # Each view after a change decides the changed cases again: one case changed, then four.
    build(app, login.id, "draft")
    few = count_queries(app, client, "/staff/")
    for state in ("draft", "released", "cancelled", "review"):
        build(app, login.id, state)
    assert count_queries(app, client, "/staff/") == few
    assert _shown(client)["All"] == 6


def test_the_ready_count_follows_each_answer_deciding_again_only_for_the_changed_case(
        app, client, staff, invited, sent_case, monkeypatch):
    from refcheck import search

    from .conftest import attest_referee, enter_referee, full_answers

    other = build(app, staff.id, "collecting")
    sign_in(client, staff)
    assert _shown(client)["Collecting"] == 2 and "Ready for review" not in _shown(client)
    asked = []
    whole = search.ready_for_review_ids

    def decide(visible=None, only=None):
        asked.append(None if only is None else set(only))
        return whole(visible, only)

    monkeypatch.setattr(search, "ready_for_review_ids", decide)
    paths = list(invited.values())
    for n, path in enumerate(paths, start=1):
        browser = enter_referee(app, path)
        html = attest_referee(browser).data.decode()
        assert browser.post("/referee", data=full_answers(html)).status_code == 303
        shown = _shown(client)
        if n < len(paths):
            assert shown["Collecting"] == 2 and "Ready for review" not in shown
        else:
            assert shown["Collecting"] == 1 and shown["Ready for review"] == 1
    # Each answer was recorded against its case, and only that case was decided again.
    assert asked and all(only == {sent_case.id} for only in asked)
    assert other.case_id not in set().union(*asked)
