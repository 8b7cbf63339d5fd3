"""Fraud signals: plain rules over referee details and submissions. Pure Python, no Flask import.

A signal is a reason for staff to look closer, never a verdict; each carries the
rule that fired and a detail with no personal data in it.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from .text import folded
from .words import N_

FREE_MAIL = frozenset({
    "gmail.com", "googlemail.com", "yahoo.com", "yahoo.co.uk", "ymail.com", "hotmail.com",
    "hotmail.co.uk", "outlook.com", "live.com", "msn.com", "aol.com", "icloud.com", "me.com",
    "mac.com", "proton.me", "protonmail.com", "pm.me", "gmx.com", "gmx.de", "gmx.net", "web.de",
    "mail.com", "yandex.com", "yandex.ru", "zoho.com", "fastmail.com", "tutanota.com", "hey.com",
    "btinternet.com", "sky.com", "virginmedia.com", "orange.fr", "free.fr", "laposte.net", "qq.com",
    "163.com", "126.com", "naver.com", "rediffmail.com",
})
# Organisations for which a personal address is expected.
_NO_EMPLOYER = re.compile(r"\b(self[- ]?employed|freelance|independent|sole trader|contractor)\b")
_LEGAL = {"ltd", "limited", "inc", "llc", "gmbh", "plc", "corp", "corporation", "co", "company", "sa",
          "ag", "bv", "nv", "srl", "sarl", "pty", "llp", "lp", "group", "holdings", "the", "and", "of"}
# Seconds a careful person needs at the least per question, and for any form.
# What each rule means, without the values its stored detail gives in English: the report in another
# language says this.
RULE_WORDS = {
    "same_mailbox": N_("The referee's address delivers to the candidate's own mailbox."),
    "free_mail": N_("A personal address for someone at a named organisation."),
    "domain_mismatch": N_("The address domain does not match the organisation named for this referee."),
    "same_network_as_candidate": N_("Sent from the same network address the candidate used to consent."),
    "shared_network": N_("Another referee of this case answered from the same network address."),
    "too_fast": N_("Answered faster than the questions can be read with care."),
}
SECONDS_PER_QUESTION = 5
MIN_SECONDS = 60


@dataclass(frozen=True)
class Signal:
    """One rule that fired."""

    rule: str
    detail: str


def mailbox(email: str) -> str:
    """Reduce an address to the mailbox that receives it: no +tags, and no dots for Gmail."""
    local, _, domain = folded(email).rpartition("@")
    local = local.split("+", 1)[0]
    if domain in ("gmail.com", "googlemail.com"):
        local, domain = local.replace(".", ""), "gmail.com"
    return f"{local}@{domain}"


def domain_of(email: str) -> str:
    """Return the domain of an address, lower-case."""
    return folded(email).rpartition("@")[2]


def organisation_words(name: str) -> set[str]:
    """Return the distinctive words of an organisation's name."""
    text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode().lower()
    return {w for w in re.findall(r"[a-z0-9]+", text) if w not in _LEGAL and len(w) >= 3}


def email_signals(candidate_email: str, referee_email: str, organisation: str) -> list[Signal]:
    """Check a referee's address against the candidate's and the organisation they claim."""
    signals: list[Signal] = []
    if mailbox(candidate_email) == mailbox(referee_email):
        signals.append(Signal("same_mailbox",
                              "The referee's address delivers to the candidate's own mailbox."))
    domain = domain_of(referee_email)
    employer_claimed = not _NO_EMPLOYER.search(organisation.lower())
    if domain in FREE_MAIL:
        if employer_claimed:
            signals.append(Signal("free_mail", f"A personal address ({domain}) for someone at a named "
                                               "organisation."))
    elif employer_claimed and not _domain_matches(domain, organisation):
        signals.append(Signal("domain_mismatch", f"The address domain ({domain}) does not match the "
                                                 "organisation named for this referee."))
    return signals


def _domain_matches(domain: str, organisation: str) -> bool:
    """Say whether an email domain plausibly belongs to the named organisation."""
    labels = [label for label in domain.split(".")[:-1] if label]
    joined = "".join(labels)
    words = organisation_words(organisation)
    if not words:
        return True
    initials = "".join(w[0] for w in re.findall(r"[a-z0-9]+", organisation.lower()) if w not in _LEGAL)
    return any(w in joined for w in words) or (len(initials) >= 2 and initials in labels)


def submission_signals(ip_hash: str | None, candidate_ip_hash: str | None,
                       other_referee_ip_hashes: list[str], seconds_taken: float | None,
                       question_count: int) -> list[Signal]:
    """Check a submission's network and pace against the candidate and the other referees."""
    signals: list[Signal] = []
    if ip_hash and candidate_ip_hash and ip_hash == candidate_ip_hash:
        signals.append(Signal("same_network_as_candidate",
                              "Sent from the same network address the candidate used to consent."))
    if ip_hash and ip_hash in other_referee_ip_hashes:
        signals.append(Signal("shared_network", "Another referee of this case answered from the same "
                                                "network address."))
    if seconds_taken is not None:
        floor = max(MIN_SECONDS, SECONDS_PER_QUESTION * question_count)
        if seconds_taken < floor:
            signals.append(Signal("too_fast", f"Completed {question_count} questions in "
                                              f"{int(seconds_taken)} seconds (under {floor})."))
    return signals
