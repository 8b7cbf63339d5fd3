"""Words that pure modules write for people, translated by whoever shows them. Pure: no Flask import.

A pure module (the scope, the timeline) writes its sentences through a `Words`: the pages and emails
pass one that translates into the reader's language (refcheck.i18n.WORDS); tests and the English
report use ENGLISH. Every sentence is a whole msgid with named values, so a translator can reorder it.
"""

from __future__ import annotations

from typing import Any, Protocol

from .months import is_month, month_name

# The languages refcheck is written in, each named in itself as a person looks for it.
LANGUAGES = {"en": "English", "es": "Español", "fr": "Français"}
# The same languages as staff pages and the English report name them.
ENGLISH_NAMES = {"en": "English", "es": "Spanish", "fr": "French"}


def N_(text: str) -> str:  # noqa: N802 - gettext's own name for "mark for translation, translate later"
    """Mark a text for extraction into the catalogues; it is translated where it is shown."""
    return text


class Words(Protocol):
    """Translate whole sentences, with named values, as gettext does."""

    def gettext(self, string: str, **variables: Any) -> str:
        """Return `string` in the reader's language, its %(name)s values filled in."""

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """Return the form for `num` in the reader's language; %(num)d is the count."""

    def month(self, value: str) -> str:
        """Write a stored month '2023-08' as the reader's language does: 'August 2023', 'agosto de 2023'."""


class _English:
    """The sentences as written: refcheck's source language."""

    def gettext(self, string: str, **variables: Any) -> str:
        """Return the English, its values filled in."""
        return string % variables if variables else string

    def ngettext(self, singular: str, plural: str, num: int, **variables: Any) -> str:
        """Return the English singular for one, the plural otherwise."""
        return (singular if num == 1 else plural) % {"num": num, **variables}

    def month(self, value: str) -> str:
        """Write a stored month in English: 'August 2023'."""
        return month_name(value) if is_month(value) else value


ENGLISH: Words = _English()


def join(items: list[str], words: Words, last: str = "and") -> str:
    """Join phrases the way a sentence does in the reader's language: 'a, b and c' ('or' with last='or')."""
    if len(items) <= 1:
        return "".join(items)
    head = words.gettext(", ").join(items[:-1])
    if last == "or":
        return words.gettext("%(list)s or %(item)s", list=head, item=items[-1])
    return words.gettext("%(list)s and %(item)s", list=head, item=items[-1])
