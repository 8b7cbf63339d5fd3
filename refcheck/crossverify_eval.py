"""Score the fact matcher on labelled scenarios: accuracy per fact and per label. Pure, no Flask.

The scenarios are tests/data/crossverify.jsonl (its format is in tests/data/README.md). Each is put
through verify() as a case would be, and the finding's kind is read as the scenario's verdict.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .crossverify import Finding, verify
from .employers import RELATIONS

# The goals of issue 17: at least 95% right on every fact, and no real conflict called agreement.
ACCURACY_GOAL = 0.95
DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "crossverify.jsonl"
# The tolerance the scenarios are labelled with (tests/data/README.md), whatever a deployment sets.
LABEL_TOLERANCE = 2
FACTS = ("employer", "title", "start_month", "end_month", "worked_together_from", "worked_together_to",
         "reason_for_leaving", "rehire_eligible", "relationship")
LABELS = ("agree", "minor_difference", "conflict")
# A finding's kind, as a scenario's label says it.
_VERDICTS = {"corroborated": "agree", "single_source": "agree", "minor_difference": "minor_difference",
             "conflict": "conflict", "unverified": "unverified"}


class ScenarioError(ValueError):
    """A line of the scenarios file that is not a scenario, with its line number."""


@dataclass(frozen=True)
class Scenario:
    """One labelled scenario: a fact as the candidate and the referees gave it, and the right verdict."""

    id: str
    fact: str
    claim: Any
    referees: tuple[Any, ...]
    expected: str
    reason: str = ""
    written_by: str = ""
    aliases: tuple[dict[str, str], ...] = ()


@dataclass
class Outcome:
    """What the matcher made of one scenario."""

    scenario: Scenario
    verdict: str
    finding: Finding

    @property
    def right(self) -> bool:
        """Say whether the matcher gave the label a careful person gave."""
        return self.verdict == self.scenario.expected

    @property
    def conflict_called_agree(self) -> bool:
        """Say whether a real conflict was let through as agreement: the error that matters most."""
        return self.scenario.expected == "conflict" and self.verdict == "agree"


@dataclass
class Evaluation:
    """Every scenario's outcome, and the scores read off them."""

    outcomes: list[Outcome] = field(default_factory=list)

    def of_fact(self, fact: str) -> list[Outcome]:
        """Return the outcomes of one fact's scenarios."""
        return [o for o in self.outcomes if o.scenario.fact == fact]

    @property
    def facts(self) -> list[str]:
        """Return the facts the scenarios cover, in the usual order."""
        present = {o.scenario.fact for o in self.outcomes}
        return [fact for fact in FACTS if fact in present]

    @property
    def misses(self) -> list[Outcome]:
        """Return the scenarios the matcher got wrong."""
        return [o for o in self.outcomes if not o.right]

    @property
    def meets_goals(self) -> bool:
        """Say whether every fact reaches the accuracy goal and no conflict was called agreement."""
        return bool(self.outcomes) and all(accuracy(self.of_fact(f)) >= ACCURACY_GOAL for f in self.facts) \
            and not any(o.conflict_called_agree for o in self.outcomes)


def accuracy(outcomes: list[Outcome]) -> float:
    """Return the share of outcomes that are right."""
    return sum(o.right for o in outcomes) / len(outcomes) if outcomes else 1.0


def load(path: Path) -> list[Scenario]:
    """Read scenarios from a JSON-lines file, refusing a line that is not one, by its number."""
    found: list[Scenario] = []
    seen: set[str] = set()
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                found.append(_scenario(json.loads(line)))
            except (ValueError, KeyError, TypeError) as err:
                raise ScenarioError(f"line {number}: {err}") from err
            if found[-1].id in seen:
                raise ScenarioError(f"line {number}: the id {found[-1].id!r} is used twice")
            seen.add(found[-1].id)
    return found


def _scenario(data: dict[str, Any]) -> Scenario:
    """Check one scenario's fields and read it."""
    if data["fact"] not in FACTS:
        raise ValueError(f"unknown fact {data['fact']!r}")
    if data["expected"] not in LABELS:
        raise ValueError(f"unknown label {data['expected']!r}; use one of {', '.join(LABELS)}")
    referees = data["referees"]
    if not isinstance(referees, list) or not referees:
        raise ValueError("give at least one referee's answer")
    aliases = tuple(data.get("aliases") or ())
    for alias in aliases:
        if set(alias) != {"name", "same_as", "relation"} or alias["relation"] not in RELATIONS:
            raise ValueError(f"an alias needs name, same_as and a relation of {', '.join(RELATIONS)}")
    return Scenario(str(data["id"]), data["fact"], data.get("claim"), tuple(referees), data["expected"],
                    data.get("reason", ""), data.get("written_by", ""), aliases)


def judge(scenario: Scenario) -> Outcome:
    """Put one scenario through verify() and read the finding's kind as its verdict."""
    claims = {} if scenario.claim is None else {scenario.fact: scenario.claim}
    referees = [{"id": f"r{number}", "relationship": "other", "facts": {scenario.fact: value}}
                for number, value in enumerate(scenario.referees, 1)]
    findings = verify(claims, referees, LABEL_TOLERANCE, scenario.aliases)
    finding = next(f for f in findings if f.fact == scenario.fact)
    return Outcome(scenario, _VERDICTS.get(finding.kind, finding.kind), finding)


def evaluate(scenarios: Iterable[Scenario]) -> Evaluation:
    """Judge every scenario."""
    return Evaluation([judge(scenario) for scenario in scenarios])


def _percent(share: float) -> str:
    """Write a share as a percentage with one decimal."""
    return f"{share * 100:.1f}%"


def tables(result: Evaluation) -> str:
    """Write the scores as markdown tables: by fact, by label, and by who wrote the scenarios."""
    lines = ["| fact | scenarios | right | accuracy | conflicts called agree |",
             "| --- | ---: | ---: | ---: | ---: |"]
    for fact in result.facts:
        outcomes = result.of_fact(fact)
        lines.append(f"| {fact} | {len(outcomes)} | {sum(o.right for o in outcomes)} | "
                     f"{_percent(accuracy(outcomes))} | {sum(o.conflict_called_agree for o in outcomes)} |")
    every = result.outcomes
    lines.append(f"| **all** | {len(every)} | {sum(o.right for o in every)} | {_percent(accuracy(every))} | "
                 f"{sum(o.conflict_called_agree for o in every)} |")
    lines += ["", "| labelled | scenarios | called agree | called minor difference | called conflict "
              "| accuracy |", "| --- | ---: | ---: | ---: | ---: | ---: |"]
    for label in LABELS:
        outcomes = [o for o in every if o.scenario.expected == label]
        called = {verdict: sum(o.verdict == verdict for o in outcomes) for verdict in LABELS}
        lines.append(f"| {label} | {len(outcomes)} | {called['agree']} | {called['minor_difference']} | "
                     f"{called['conflict']} | {_percent(accuracy(outcomes))} |")
    lines += ["", "| written by | scenarios | accuracy |", "| --- | ---: | ---: |"]
    for writer in sorted({o.scenario.written_by for o in every}):
        outcomes = [o for o in every if o.scenario.written_by == writer]
        lines.append(f"| {writer or 'unknown'} | {len(outcomes)} | {_percent(accuracy(outcomes))} |")
    return "\n".join(lines)


def miss_lines(result: Evaluation) -> list[str]:
    """Describe each scenario the matcher got wrong, for a person to read."""
    lines = []
    for outcome in result.misses:
        s = outcome.scenario
        whys = [source.why for source in outcome.finding.sources if source.why]
        lines.append(f"- {s.id} ({s.fact}): labelled {s.expected}, called {outcome.verdict}; claim "
                     f"{json.dumps(s.claim, ensure_ascii=False)}, referees "
                     f"{json.dumps(list(s.referees), ensure_ascii=False)}; label's reason: {s.reason}"
                     + (f"; matcher's why: {'; '.join(whys)}" if whys else ""))
    return lines
