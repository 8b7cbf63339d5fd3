"""What the report says, in words: the verdict, facts in plain values, and referees grouped or attributed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .dates import month
from .finding_words import FACT_WORDS
from .likeness import MONTH_FACTS
from .scope import GROUP_MINIMUM, RELATIONSHIP_LABELS

# relationship -> (one, many) as the report names a group of referees.
GROUP_WORDS = {
    "manager": ("manager", "managers"), "peer": ("peer", "peers"),
    "direct_report": ("direct report", "direct reports"), "client": ("client", "clients"),
    "other": ("other colleague", "other colleagues"),
}
VALUE_WORDS = {
    "resigned": "Resigned", "contract_ended": "Contract ended", "laid_off": "Laid off (redundancy)",
    "dismissed": "Dismissed", "other": "Another reason", "still_employed": "Still works there",
    "yes": "Yes", "no": "No", "unknown": "Don't know",
    "manager": "Manager", "peer": "Peer", "direct_report": "Direct report", "client": "Client",
}
STATUS_WORDS = {"corroborated": "Confirmed", "single_source": "One source", "conflict": "Conflict",
                "unverified": "Not checked"}


def fact_name(fact: str) -> str:
    """Name a fact as people read it: 'Start date', 'Job title'."""
    words = FACT_WORDS.get(fact, fact.replace("_", " "))
    words = words.removeprefix("the ")
    return words[:1].upper() + words[1:]


def value_words(fact: str, value: Any) -> str:
    """Write a stored value in words: '2023-06' as 'June 2023', 'resigned' as 'Resigned'."""
    if value is None or value == "":
        return "–"
    if isinstance(value, dict) and "from" in value:
        return f"{month(value['from'])} to {month(value.get('to'))}"
    text = str(value)
    if fact in MONTH_FACTS or fact.endswith("_month"):
        return month(text)
    return VALUE_WORDS.get(text, text)


def spaced_fingerprint(value: str) -> str:
    """Write a 64-character fingerprint in eight groups of eight, the same on every page and PDF."""
    return " ".join(value[i:i + 8] for i in range(0, len(value), 8))


def count_words(count: int, relationship: str) -> str:
    """Return '1 manager' or '2 peers'."""
    one, many = GROUP_WORDS.get(relationship, ("referee", "referees"))
    return f"{count} {one if count == 1 else many}"


def join(items: list[str], word: str = "and") -> str:
    """Join words the way a sentence does."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {word} " + items[-1] if items else ""


def plural(count: int, one: str, many: str | None = None) -> str:
    """Return '1 fact' or '3 facts'."""
    return f"{count} {one if count == 1 else (many or one + 's')}"


# ---------------------------------------------------------------- referees as columns

def columns(sources: list[dict[str, Any]], grouped: bool) -> tuple[list[dict[str, Any]], list[str]]:
    """Return the report's answer columns and the notes that say what was combined or left out.

    Attributed: one column per referee who answered. Grouped: one column per relationship with at
    least GROUP_MINIMUM answers; lone referees are pooled together, or into the smallest group when
    alone, so that no column is one person's answers. One answer in all is not shown.
    """
    answered = [s for s in sources if s["state"] == "submitted"]
    if not grouped:
        return [{"label": s["label"], "members": [s["id"]]} for s in answered], []
    if len(answered) < GROUP_MINIMUM:
        note = ("Only one referee answered, so their ratings and comments are not shown: on their own "
                "they would identify them. Their factual answers count in the facts above.")
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
    notes = [f"The answers of the only {GROUP_WORDS.get(r, ('referee',))[0]} who answered are combined "
             "with other referees' answers, not shown separately, so that they do not identify them."
             for r in lone]
    result = []
    for group in groups:
        label = join([count_words(len(by_relationship[r]), r) for r in group])
        result.append({"label": label[:1].upper() + label[1:] + (", combined" if len(group) > 1 else ""),
                       "members": [i for r in group for i in by_relationship[r]]})
    return result, notes


def answer_rows(questions: Sequence[Any], sources: list[dict[str, Any]],
                cols: list[dict[str, Any]], minimum: int = 1) -> list[dict[str, Any]]:
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
                    row["values"].setdefault(column["label"], []).append(value)
    rows = list(seen.values())
    for row in rows:
        given = row.pop("values")
        values = {label: found for label, found in given.items() if len(found) >= minimum}
        row["withheld"] = len(values) < len(given)
        row["answers"] = {label: _cell(row["kind"], found) for label, found in values.items()}
        row["scores"] = {label: [int(v) for v in found if str(v).isdigit()]
                         for label, found in values.items() if row["kind"] == "rating"}
    return rows


def _cell(kind: str, values: list[Any]) -> list[str]:
    """Write one column's answers to a question: a lone answer as it is, several in no one's order."""
    words = [value_words("", v) for v in values]
    if len(words) == 1:
        return words
    if kind == "text":
        return sorted(words)
    counts: dict[str, int] = {}
    for word in words:
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

def verdict(findings: list[dict[str, Any]], candidate: str) -> dict[str, Any]:
    """Say in one sentence how the facts compare with the candidate's account, and list what stands out."""
    by_status: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        by_status.setdefault(finding["status"], []).append(finding)
    total = len(findings)
    agree = len(by_status.get("corroborated", [])) + len(by_status.get("single_source", []))
    conflicts = by_status.get("conflict", [])
    if not total:
        headline = "No facts were compared."
    elif agree == total:
        headline = f"All {plural(total, 'fact')} agree with {candidate}'s account."
    else:
        headline = f"{agree} of {plural(total, 'fact')} agree with {candidate}'s account"
        if conflicts:
            headline += f"; {plural(len(conflicts), 'conflict')}"
        unchecked = len(by_status.get("unverified", []))
        if unchecked:
            headline += f"; {unchecked} could not be checked"
        headline += "."
    single: dict[str, list[str]] = {}
    for finding in by_status.get("single_source", []):
        single.setdefault(finding["heading"], []).append(finding["fact_name"].lower())
    return {"headline": headline, "conflicts": conflicts,
            "single_source": [{"heading": h, "facts": join(facts)} for h, facts in single.items()],
            "single_count": len(by_status.get("single_source", [])),
            "corroborated": len(by_status.get("corroborated", [])), "total": total}


def replies(findings: list[dict[str, Any]]) -> dict[str, Any]:
    """Count the candidate's replies: written ones are shown in full, plain acceptances fold into a line."""
    written = [f for f in findings if f["reply"] and f["reply"]["text"].strip()]
    accepted = [f for f in findings
                if f["reply"] and f["reply"]["accepted"] and not f["reply"]["text"].strip()]
    silent = [f for f in findings if not f["reply"]]
    other = "the other " if written else ("all " if len(accepted) > 1 and not silent else "")
    parts = []
    if accepted:
        parts.append(f"The candidate accepted {other}{plural(len(accepted), 'finding')} as stated.")
    if silent:
        parts.append(f"The candidate did not reply to {plural(len(silent), 'finding')}"
                     f"{' other than those above' if written else ''}.")
    return {"written": len(written), "accepted": len(accepted), "silent": len(silent),
            "folded": " ".join(parts)}


def coverage(sources: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Count, per relationship, how many referees were asked and how many answered."""
    rows: dict[str, dict[str, Any]] = {}
    for source in sources:
        row = rows.setdefault(source["relationship"], {
            "relationship": RELATIONSHIP_LABELS.get(source["relationship"], "Other"),
            "asked": 0, "answered": 0, "declined": 0, "expired": 0})
        row["asked"] += 1
        row[{"submitted": "answered"}.get(source["state"], source["state"])] += 1
    return list(rows.values())
