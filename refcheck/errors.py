"""The refusal every service raises: a reason a person can read, and the form field it concerns."""

from __future__ import annotations


class CaseError(Exception):
    """A request the case cannot accept, with a reason a person can read."""

    def __init__(self, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
