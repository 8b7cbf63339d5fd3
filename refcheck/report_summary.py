"""What the report says, in words: the verdict, facts in plain values, and referees grouped or attributed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .likeness import MONTH_FACTS
from .scope import GROUP_MINIMUM, RELATIONSHIP_LABELS
from .words import ENGLISH, N_, Words, join

VALUE_WORDS = {
    "resigned": N_("Resigned"), "contract_ended": N_("Contract ended"),
    "laid_off": N_("Laid off (redundancy)"), "dismissed": N_("Dismissed"), "other": N_("Another reason"),
    "still_employed": N_("Still works there"), "yes": N_("Yes"), "no": N_("No"), "unknown": N_("Don't know"),
    "manager": N_("Manager"), "peer": N_("Peer"), "direct_report": N_("Direct report"),
    "client": N_("Client"),
}
STATUS_WORDS = {"corroborated": N_("Confirmed"), "single_source": N_("One source"),
                "conflict": N_("Conflict"), "unverified": N_("Not checked")}
# A fact as a label in the report's tables.
FACT_NAMES = {
    "employer": N_("Employer"), "title": N_("Job title"), "start_month": N_("Start date"),
    "end_month": N_("End date"), "reason_for_leaving": N_("Reason for leaving"),
    "rehire_eligible": N_("Eligibility for re-employment"), "relationship": N_("Working relationship"),
    "worked_together_from": N_("Start of the working relationship"),
    "worked_together_to": N_("End of the working relationship"),
}


def fact_name(fact: str, words: Words = ENGLISH) -> str:
    """Name a fact as people read it: 'Start date', 'Job title'."""
    if fact in FACT_NAMES:
        return words.gettext(FACT_NAMES[fact])
    named = fact.replace("_", " ")
    return named[:1].upper() + named[1:]


def value_words(fact: str, value: Any, words: Words = ENGLISH) -> str:
    """Write a stored value in words: '2023-06' as 'June 2023', 'resigned' as 'Resigned'."""
    if value is None or value == "":
        return "–"
    if isinstance(value, dict) and "from" in value:
        return words.gettext("%(start)s to %(end)s", start=_month(value["from"], words),
                             end=_month(value.get("to"), words))
    text = str(value)
    if fact in MONTH_FACTS or fact.endswith("_month"):
        return _month(text, words)
    return words.gettext(VALUE_WORDS[text]) if text in VALUE_WORDS else text


def _month(value: str | None, words: Words) -> str:
    """Write a stored month in words; no month is 'present', as the candidate's form says."""
    return words.month(value) if value else words.gettext("present")


def spaced_fingerprint(value: str) -> str:
    """Write a 64-character fingerprint in eight groups of eight, the same on every page and PDF."""
    return " ".join(value[i:i + 8] for i in range(0, len(value), 8))


def count_words(count: int, relationship: str, words: Words = ENGLISH) -> str:
    """Return '1 manager' or '2 peers'."""
    several = {
        "manager": lambda: words.ngettext("%(num)d manager", "%(num)d managers", count),
        "peer": lambda: words.ngettext("%(num)d peer", "%(num)d peers", count),
        "direct_report": lambda: words.ngettext("%(num)d direct report", "%(num)d direct reports", count),
        "client": lambda: words.ngettext("%(num)d client", "%(num)d clients", count),
        "other": lambda: words.ngettext("%(num)d other colleague", "%(num)d other colleagues", count),
    }
    if relationship in several:
        return several[relationship]()
    return words.ngettext("%(num)d referee", "%(num)d referees", count)


def _only_one(relationship: str, words: Words) -> str:
    """Say that a relationship's lone referee is pooled with others, so that they are not identified."""
    lone = {
        "manager": N_("The answers of the only manager who answered are combined with other referees' "
                      "answers, not shown separately, so that they do not identify them."),
        "peer": N_("The answers of the only peer who answered are combined with other referees' answers, "
                   "not shown separately, so that they do not identify them."),
        "direct_report": N_("The answers of the only direct report who answered are combined with other "
                            "referees' answers, not shown separately, so that they do not identify them."),
        "client": N_("The answers of the only client who answered are combined with other referees' "
                     "answers, not shown separately, so that they do not identify them."),
    }
    return words.gettext(lone.get(relationship, N_(
        "The answers of the only other colleague who answered are combined with other referees' answers, "
        "not shown separately, so that they do not identify them.")))


# ---------------------------------------------------------------- referees as columns

def columns(sources: list[dict[str, Any]], grouped: bool,
            words: Words = ENGLISH) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the report's answer columns and the notes that say what was combined or left out.

    Attributed: one column per referee who answered. Grouped: one column per relationship with at
    least GROUP_MINIMUM answers; lone referees are pooled together, or into the smallest group when
    alone, so that no column is one person's answers. One answer in all is not shown.
    """
    answered = [s for s in sources if s["state"] == "submitted"]
    if not grouped:
        return [{"label": s["label"], "members": [s["id"]]} for s in answered], []
    if len(answered) < GROUP_MINIMUM:
        note = words.gettext("Only one referee answered, so their ratings and comments are not shown: on "
                             "their own they would identify them. Their factual answers count in the facts "
                             "above.")
        return [], [note] if answered else []
    by_relationship: dict[str, list[str]] = {}
    for source in answered:
        by_relationship.setdefault(source["relationship"], []).append(source["id"])
    groups = [[r] for r, ids in by_relationship.items() if len(ids) >= GROUP_MINIMUM]
    lone = [r for r, ids in by_relationship.items() if len(ids) < GROUP_MINIMUM]
    if len(lone) >= GROUP_MINIMUM:
        groups.append(lone)
    elif lone:
        smallest = min(groups, key=lambda g: sum(len(by_relationship[r]) for r in g))
        smallest.extend(lone)
    notes = [_only_one(r, words) for r in lone]
    result = []
    for group in groups:
        label = join([count_words(len(by_relationship[r]), r, words) for r in group], words)
        if len(group) > 1:
            label = words.gettext("%(groups)s, combined", groups=label)
        result.append({"label": label[:1].upper() + label[1:],
                       "members": [i for r in group for i in by_relationship[r]]})
    return result, notes


def answer_rows(questions: Sequence[Any], sources: list[dict[str, Any]],
                cols: list[dict[str, Any]], minimum: int = 1, words: Words = ENGLISH) -> list[dict[str, Any]]:
    """Line up every question with each column's answers (lines of text) and rating scores.

    A column's answers to a question are shown only when at least `minimum` of its referees gave one:
    grouped, a question only one manager was asked (or only one answered) would otherwise be theirs.
    Each row says whether a column's answers were held back for that reason.
    """
    answers = {s["id"]: s["answers"] for s in sources}
    seen: dict[str, dict[str, Any]] = {}
    for question in questions:
        row = seen.setdefault(question.text, {"question": question.text, "kind": question.kind,
                                              "low": question.low_label, "high": question.high_label,
                                              "values": {}})
        for column in cols:
            for member in column["members"]:
                value = answers.get(member, {}).get(str(question.id))
                if value not in (None, ""):
                    row["values"].setdefault(column["label"], []).append(_choice_shown(question, value))
    rows = list(seen.values())
    for row in rows:
        given = row.pop("values")
        values = {label: found for label, found in given.items() if len(found) >= minimum}
        row["withheld"] = len(values) < len(given)
        row["answers"] = {label: _cell(row["kind"], found, words) for label, found in values.items()}
        row["scores"] = {label: [int(v) for v in found if str(v).isdigit()]
                         for label, found in values.items() if row["kind"] == "rating"}
    return rows


def _choice_shown(question: Any, value: Any) -> Any:
    """Return a choice as the question shows it: a translation's label for the stored source choice."""
    labels = getattr(question, "choice_labels", None)
    if labels and question.choices and value in question.choices:
        return labels[question.choices.index(value)]
    return value


def _cell(kind: str, values: list[Any], words: Words) -> list[str]:
    """Write one column's answers to a question: a lone answer as it is, several in no one's order."""
    written = [value_words("", v, words) for v in values]
    if len(written) == 1:
        return written
    if kind == "text":
        return sorted(written)
    counts: dict[str, int] = {}
    for word in written:
        counts[word] = counts.get(word, 0) + 1
    return [word if n == 1 else f"{word} ({n})" for word, n in sorted(counts.items())]


def ratings(rows: list[dict[str, Any]], cols: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return each rating question with its average per column and, for the summary, overall."""
    charts = []
    for row in rows:
        every = [v for scores in row.get("scores", {}).values() for v in scores]
        if row["kind"] != "rating" or not every:
            continue
        charts.append({"question": row["question"], "low": row["low"], "high": row["high"],
                       "scores": [(c["label"], _average(v)) for c in cols
                                  if (v := row["scores"].get(c["label"]))],
                       "average": _average(every), "lowest": min(every),
                       "highest": max(every), "count": len(every)})
    return charts


def _average(values: list[int]) -> float | int:
    """Return the mean to one decimal, as a whole number when it is one (a lone 4 reads '4')."""
    mean = round(sum(values) / len(values), 1)
    return int(mean) if mean == int(mean) else mean


# ---------------------------------------------------------------- the verdict and what needs attention

def verdict(findings: list[dict[str, Any]], candidate: str, words: Words = ENGLISH) -> dict[str, Any]:
    """Say in one sentence how the facts compare with the candidate's account, and list what stands out."""
    by_status: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        by_status.setdefault(finding["status"], []).append(finding)
    total = len(findings)
    agree = len(by_status.get("corroborated", [])) + len(by_status.get("single_source", []))
    conflicts = by_status.get("conflict", [])
    if not total:
        headline = words.gettext("No facts were compared.")
    elif agree == total:
        headline = words.ngettext("The one fact agrees with %(candidate)s's account.",
                                  "All %(num)d facts agree with %(candidate)s's account.", total,
                                  candidate=candidate)
    else:
        parts = [words.ngettext("%(num)d of %(total)d facts agrees with %(candidate)s's account",
                                "%(num)d of %(total)d facts agree with %(candidate)s's account", agree,
                                total=total, candidate=candidate)]
        if conflicts:
            parts.append(words.ngettext("%(num)d conflict", "%(num)d conflicts", len(conflicts)))
        unchecked = len(by_status.get("unverified", []))
        if unchecked:
            parts.append(words.ngettext("%(num)d could not be checked", "%(num)d could not be checked",
                                        unchecked))
        headline = words.gettext("; ").join(parts) + "."
    single: dict[str, list[str]] = {}
    for finding in by_status.get("single_source", []):
        single.setdefault(finding["heading"], []).append(finding["fact_name"].lower())
    return {"headline": headline, "conflicts": conflicts,
            "single_source": [{"heading": h, "facts": join(facts, words)} for h, facts in single.items()],
            "single_count": len(by_status.get("single_source", [])),
            "corroborated": len(by_status.get("corroborated", [])), "total": total}


def replies(findings: list[dict[str, Any]], words: Words = ENGLISH) -> dict[str, Any]:
    """Count the candidate's replies: written ones are shown in full, plain acceptances fold into a line."""
    written = [f for f in findings if f["reply"] and f["reply"]["text"].strip()]
    accepted = [f for f in findings
                if f["reply"] and f["reply"]["accepted"] and not f["reply"]["text"].strip()]
    silent = [f for f in findings if not f["reply"]]
    parts = []
    if accepted and written:
        parts.append(words.ngettext("The candidate accepted the other finding as stated.",
                                    "The candidate accepted the other %(num)d findings as stated.",
                                    len(accepted)))
    elif len(accepted) > 1 and not silent:
        parts.append(words.gettext("The candidate accepted all %(num)d findings as stated.",
                                   num=len(accepted)))
    elif accepted:
        parts.append(words.ngettext("The candidate accepted %(num)d finding as stated.",
                                    "The candidate accepted %(num)d findings as stated.", len(accepted)))
    if silent and written:
        parts.append(words.ngettext("The candidate did not reply to %(num)d finding other than those above.",
                                    "The candidate did not reply to %(num)d findings other than those above.",
                                    len(silent)))
    elif silent:
        parts.append(words.ngettext("The candidate did not reply to %(num)d finding.",
                                    "The candidate did not reply to %(num)d findings.", len(silent)))
    return {"written": len(written), "accepted": len(accepted), "silent": len(silent),
            "folded": " ".join(parts)}


def coverage(sources: list[dict[str, Any]], words: Words = ENGLISH) -> list[dict[str, Any]]:
    """Count, per relationship, how many referees were asked and how many answered."""
    rows: dict[str, dict[str, Any]] = {}
    for source in sources:
        row = rows.setdefault(source["relationship"], {
            "relationship": words.gettext(RELATIONSHIP_LABELS.get(source["relationship"], N_("Other"))),
            "asked": 0, "answered": 0, "declined": 0, "expired": 0})
        row["asked"] += 1
        row[{"submitted": "answered"}.get(source["state"], source["state"])] += 1
    return list(rows.values())
