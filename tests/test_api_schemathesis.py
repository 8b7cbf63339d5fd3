"""Schemathesis, from PyPI, against the served OpenAPI document with a real key: no server error, no
answer that breaks the document, and no way to another organisation's check.

Each operation gets a bounded number of generated requests, valid and invalid, derandomised so a
failure repeats. The database holds checks of both organisations, and another organisation's released
check has one of the smallest ids, which generated ids reach first.
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import CheckContext

from refcheck.extensions import db
from refcheck.models import Case

from .api_helpers import OTHER_ORG, bearer, order_body, ready
from .lifecycle_cases import build
from .test_client import move_to

EXAMPLES = 25


@pytest.fixture
def seeded(app, staff):
    """Organisation A's key, package and checks; organisation B's released check (the first case)."""
    # B's from the start: a draft moved to B, then taken to release, so its events are B's too.
    theirs = build(app, staff.id, "draft").case_id
    move_to(app, theirs, OTHER_ORG)
    build(app, staff.id, "released", case_id=theirs)
    key, package_id = ready(app)
    client = app.test_client()
    ours = {client.post("/api/v1/checks", json=order_body(package_id, client_reference=f"S-{n}"),
                        headers=bearer(key)).json["id"] for n in range(2)}
    ours.add(build(app, staff.id, "released").case_id)
    return key, ours, theirs


def _only_ours(ours: set[int], theirs: int):
    """Return a check that fails on any answer that shows a check that is not organisation A's."""

    def only_our_checks(ctx: CheckContext, response, case) -> bool:
        if response.status_code >= 300 or case.operation.path.startswith("/packages"):
            return True
        path_id = (case.path_parameters or {}).get("check_id")
        assert path_id is None or path_id in ours, f"another organisation's check {path_id} was answered"
        if response.headers.get("content-type", [""])[0].startswith("application/json"):
            body = response.json()
            items = body.get("data", [body]) if isinstance(body, dict) else []
            for item in items:
                shown = item.get("check_id", item.get("data", {}).get("check_id")) if "type" in item \
                    else item.get("id")
                assert shown != theirs, "another organisation's check appeared"
        return True

    return only_our_checks


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_generated_requests_find_no_error_no_broken_answer_and_no_other_organisation(app, seeded, mode):
    key, ours, theirs = seeded
    with app.app_context():
        assert db.session.get(Case, theirs).organisation.name == OTHER_ORG
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    check = _only_ours(ours, theirs)
    tried = 0
    for result in schema.get_all_operations():
        operation = result.ok()

        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        @given(case=operation.as_strategy(generation_mode=mode))
        def run(case) -> None:
            headers = {**(case.headers or {}), **bearer(key)}
            # The document's own statuses are what is checked: a 404 for a check that is not one's own, or
            # a 422 for an order the pace cannot meet, are answers the document promises, not failures.
            case.call_and_validate(headers=headers, additional_checks=[check],
                                   excluded_checks=[schemathesis.checks.positive_data_acceptance])

        run()
        tried += 1
    assert tried == 9
