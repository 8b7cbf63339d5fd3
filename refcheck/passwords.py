"""Password rules after OWASP ASVS 5.0 chapter V6: length over composition, no common or guessable ones.

No rule asks for digits, capitals or symbols (V6.2.5): a long phrase of ordinary words is welcome,
spaces and any Unicode characters included. A password is refused only when it is too short or too
long, on the list of common passwords attackers try first, or built on words an attacker knows
about this account (its email's name, the person's name, the service's name).

The common-password list is the one the `zxcvbn` package ships (MIT licence; its `passwords`
frequency list, the 30,000 most frequent passwords of Mark Burnett's published corpus of leaked
passwords). It is read at run time from the installed package, so nothing is downloaded.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

MIN_LENGTH = 12
# ASVS asks that at least 64 characters be allowed; the hash costs the same whatever the length.
MAX_LENGTH = 128
SERVICE_WORDS = ("refcheck",)
# The characters people put in place of letters ("p@ssw0rd"), read back as letters.
_UNLEET = str.maketrans({"@": "a", "4": "a", "0": "o", "3": "e", "$": "s", "5": "s", "7": "t", "!": "i"})
_EDGES = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_WORD_SPLIT = re.compile(r"[\W_]+")

HINT = (f"At least {MIN_LENGTH} characters; longer is stronger. A few unrelated words with spaces "
        "between them are easy to remember and hard to guess. No symbols or digits are required.")


@functools.cache
def _common() -> frozenset[str]:
    """Return the shipped list of common passwords, loaded once."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"])


def context_words(email: str, name: str = "") -> list[str]:
    """Return the words an attacker would try first against this account."""
    local = email.partition("@")[0].casefold()
    words = {local, *SERVICE_WORDS}
    words.update(_WORD_SPLIT.split(local))
    words.update(_WORD_SPLIT.split(name.casefold()))
    # Short pieces ("li", "jo") turn up inside ordinary words and would refuse good passwords.
    return sorted(word for word in words if len(word) >= 4)


def _simplified(password: str) -> str:
    """Return the password as compared: compatibility-normalised, case-folded, without spaces."""
    return "".join(unicodedata.normalize("NFKC", password).casefold().split())


def _variants(simple: str) -> set[str]:
    """Return the forms a common password hides in: as typed, letters for digits, without digits around."""
    forms = {simple, simple.translate(_UNLEET), simple.translate(_UNLEET).replace("1", "l"),
             simple.translate(_UNLEET).replace("1", "i")}
    forms |= {_EDGES.sub("", form) for form in list(forms)}
    return {form for form in forms if len(form) >= 4}


def problem(password: str, context: Iterable[str] = SERVICE_WORDS) -> str | None:
    """Return why a password cannot be used, in kind words, or None when it may be used."""
    if len(password) < MIN_LENGTH:
        return (f"Please use at least {MIN_LENGTH} characters (this one has {len(password)}). "
                "A few unrelated words with spaces between them are easy to remember and hard to guess.")
    if len(password) > MAX_LENGTH:
        return f"Please use at most {MAX_LENGTH} characters (this one has {len(password)})."
    simple = _simplified(password)
    if len(set(simple)) < 5:
        return ("This password repeats the same few characters, which attackers try early. "
                "Please choose another: a few unrelated words work well.")
    if _variants(simple) & _common():
        return ("This password is on a list of common and leaked passwords that attackers try first. "
                "Please choose another: a few unrelated words work well.")
    for word in context:
        if word and word.casefold() in simple:
            return (f"Please leave out “{word}”: words from the account’s email, name or this service "
                    "are among the first an attacker tries.")
    return None
