"""Helpers for the API's tests: keys made through the CLI, calls with a bearer key, a check ordered."""

from __future__ import annotations

import datetime as dt
from typing import Any

from .test_client import add_package, organisation_id

HOME_ORG = "Northwind Analytics Ltd"
OTHER_ORG = "Contoso Hiring"


def make_key(app, org: str = HOME_ORG, name: str = "ATS") -> str:
    """Create an API key with the CLI, as an admin would, and return the key it printed last."""
    organisation_id(app, org)
    result = app.test_cli_runner().invoke(args=["api-keys", "create", "--organisation", org, "--name", name])
    assert result.exit_code == 0, result.output
    return result.output.strip().splitlines()[-1]


def bearer(key: str, **headers: str) -> dict[str, str]:
    """Return the headers of a call made with a key."""
    return {"Authorization": f"Bearer {key}", **headers}


def order_body(package_id: int, **changes: Any) -> dict[str, Any]:
    """Return a sound order for a check."""
    body: dict[str, Any] = {
        "package_id": package_id,
        "candidate": {"name": "Lena Park", "email": "lena.park@candidate.example"},
        "position": "Data Analyst",
        "due_date": (dt.date.today() + dt.timedelta(days=60)).isoformat(),
        "client_reference": "ATS-1001",
    }
    body.update(changes)
    return body


def ready(app, org: str = HOME_ORG) -> tuple[str, int]:
    """Return a key of an organisation and a package it may order."""
    package_id = add_package(app, org)
    return make_key(app, org), package_id
