"""Text people type: one-line fields without control characters, and one way to compare names and addresses.

Pure: no Flask, no database. Forms, services and the mail templates all ask this module.
"""

from __future__ import annotations

import re
import unicodedata

from email_validator import EmailNotValidError, validate_email

from .words import ENGLISH, N_, Words

# Line breaks of every kind, other C0/C1 controls (tabs included), and the bidirectional overrides
# and isolates that can make a name display as something else. Zero-width joiners stay: some
# scripts and emoji need them.
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
# Translated where it is shown (a form's validator, a command's refusal).
ONE_LINE_MESSAGE = N_("Please write this on one line, without line breaks, tabs or invisible control "
                      "characters.")


class TextProblem(ValueError):
    """Typed text that cannot be accepted, with the reason in plain words."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def has_control(value: str | None) -> bool:
    """Say whether text holds a line break or another control character."""
    return bool(value) and _CONTROL.search(value or "") is not None


def one_line(value: str) -> str:
    """Return text with every line break and control character turned into a space."""
    return _CONTROL.sub(" ", value)


def folded(text: str) -> str:
    """Return text as it is compared and looked up: Unicode-normalised, trimmed and case-folded."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def search_key(text: str) -> str:
    """Return the form of a name that staff search compares, at most 200 characters."""
    return folded(text)[:200]


def unsafe_address(address: str) -> bool:
    """Say whether an address would not reach a To header as itself.

    The email package decodes RFC 2047 encoded words even inside an address and writes the
    decoded text back unquoted, so "=?utf-8?q?a=2C_b=40evil.example?=@x" would name other
    recipients in the header. Such addresses are refused where they are typed, and when mail is built.
    """
    return "=?" in address or has_control(address)


def email_address(value: str, words: Words = ENGLISH) -> str:
    """Return a typed address in its normalised form, or raise TextProblem saying what is wrong.

    The reason is written with `words` (the validator's own detail stays in English).
    """
    try:
        address = validate_email(value.strip(), check_deliverability=False).normalized
    except EmailNotValidError as err:
        raise TextProblem(words.gettext("This email address does not look right: %(reason)s",
                                        reason=str(err))) from err
    if unsafe_address(address):
        raise TextProblem(words.gettext("This email address cannot be used: please give a plain address "
                                        "without \u201c=?\u201d."))
    return address


# "the candidate" as question texts say it, with its capital at the start of a sentence.
_THE_CANDIDATE = re.compile(r"\b([Tt])he candidate\b")


def first_name(full_name: str | None) -> str | None:
    """Return the first word of a name that has a letter in it, or None when the name has none."""
    for word in (full_name or "").split():
        if any(ch.isalpha() for ch in word):
            return word
    return None


def name_the_candidate(text: str, first: str | None) -> str:
    """Say the candidate's first name where a question says "the candidate"; unchanged without a name.

    Plain text in, plain text out: pages autoescape the result like any other value.
    """
    if not first:
        return text
    return _THE_CANDIDATE.sub(lambda _: first, text)
