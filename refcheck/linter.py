"""Check reference questions for bias before a question set can be published.

Four kinds of problem, each with a code, a plain explanation and a direction
for rewriting: leading or suggestive wording, questions about protected
characteristics or their proxies, double-barrelled questions, and absolute
phrasing. The analysis works on normalised words and their stems, on the
structure of the sentence (tags, coordination, presupposing openings) and on
concept lexicons, so it catches rephrasings rather than a list of sentences.
Pure Python: no Flask import.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One reason a question is not neutral."""

    code: str
    message: str
    suggestion: str
    evidence: str = ""


@dataclass
class Result:
    """The verdict on one question."""

    question: str
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Say whether the question can be asked as written."""
        return not self.problems

    def to_json(self) -> dict:
        """Return the verdict in the CLI's JSON shape."""
        return {
            "question": self.question,
            "ok": self.ok,
            "problems": [{"code": p.code, "message": p.message, "suggestion": p.suggestion,
                          "evidence": p.evidence} for p in self.problems],
        }


# ---------------------------------------------------------------- words

_CONTRACTIONS = {
    "n't": " not", "'re": " are", "'s": " is", "'d": " would", "'ll": " will", "'ve": " have",
    "'m": " am",
}
_IRREGULAR = {
    "children": "child", "kids": "kid", "men": "man", "women": "woman", "wives": "wife",
    "better": "good", "best": "good", "worse": "bad", "worst": "bad", "older": "old",
    "oldest": "old", "younger": "young", "youngest": "young", "ill": "ill", "was": "be",
    "were": "be", "is": "be", "are": "be", "been": "be", "being": "be", "am": "be",
    "has": "have", "had": "have", "did": "do", "does": "do", "born": "bear",
    "pregnancies": "pregnant", "pregnancy": "pregnant", "married": "marry", "marriage": "marry",
    "religious": "religion", "politics": "politic", "political": "politic",
    "politically": "politic", "healthy": "health", "sickness": "sick", "disabled": "disab",
    "disability": "disab", "disabilities": "disab",
}


def normalise(text: str) -> str:
    """Lower-case, fold accents and curly quotes, and expand contractions."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"')
    text = text.replace("\u201d", '"').lower()
    text = re.sub(r"\bcan't\b", "can not", text)
    text = re.sub(r"\bwon't\b", "will not", text)
    for short, long in _CONTRACTIONS.items():
        text = text.replace(short, long)
    return re.sub(r"\s+", " ", text).strip()


def words(text: str) -> list[str]:
    """Split normalised text into words."""
    return re.findall(r"[a-z0-9]+(?:-[a-z0-9]+)*", text)


def stem(word: str) -> str:
    """Reduce a word to a rough stem so that inflections share one form."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    for suffix in ("ations", "ation", "nesses", "ness", "ments", "ment", "ingly", "edly",
                   "ings", "ing", "ies", "ied", "ers", "er", "ed", "ly", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            if suffix in ("ies", "ied"):
                base += "y"
            # "planning" -> "plann" -> "plan"
            if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsz":
                base = base[:-1]
            return base
    return word


# ---------------------------------------------------------------- protected characteristics

# Each concept: stems that name it, and phrases (regular expressions on normalised text)
# that reach it indirectly. Stems match a word's stem or its start.
PROTECTED: dict[str, tuple[str, tuple[str, ...], tuple[str, ...]]] = {
    "age": (
        "age or date of birth",
        ("age", "aged", "ageing", "aging", "old", "young", "youth", "elder", "elderly", "senior citizen",
         "retire", "retirement", "pension", "generation", "millennial", "boomer", "birthday", "birthdate",
         "dob", "teen", "twenties", "thirties", "forties", "fifties", "sixties"),
        (r"\bdate of birth\b", r"\bbe?ar? born\b", r"\bborn (in|on|at)\b", r"\bhow many years .* (left|until|before) ",
         r"\b(what|which) year\b.*\b(graduat\w*|finish\w*|leave|left|start\w*|complete\w*) (high school|school|secondary|university|college)",
         r"\bdigital native\b", r"\b(energy|energetic) of a\b", r"\bsame age\b", r"\bover (40|50|60|fifty|sixty)\b"),
    ),
    "health": (
        "health or disability",
        ("health", "sick", "ill", "illness", "disab", "medical", "medication", "medicine", "diagnos",
         "condition", "injur", "mental", "depress", "anxiety", "therapy", "therapist", "doctor", "hospital",
         "surgery", "chronic", "handicap", "impair", "wheelchair", "addict", "alcohol", "drug", "cancer",
         "diabet", "adhd", "autis", "dyslex", "symptom", "disorder", "burnout", "burn-out", "fit note",
         "sick note", "weight", "blind", "deaf"),
        (r"\bsick (day|leave|note)", r"\btime off (for|because of) (illness|health|medical)",
         r"\b(physical|mental) (fitness|state|wellbeing|well-being)\b", r"\bwell enough\b",
         r"\bhealth(y)? problem", r"\bstress leave\b"),
    ),
    "pregnancy_family": (
        "pregnancy, children or family plans",
        ("pregnant", "maternity", "paternity", "parental", "baby", "babies", "child", "kid", "childcare",
         "nanny", "daycare", "fertility", "ivf", "expecting", "family", "mother", "father", "mum", "mom",
         "dad", "caregiv", "carer", "school run"),
        (r"\bstart(ing)? a family\b", r"\bfamily (plan|commitment|situation|responsibilit|obligation)",
         r"\bplan(s|ning)? (to|on) (have|having) (a )?(child|kid|baby|babies)",
         r"\bon leave (to|for) (have|having|look after)", r"\bexpecting a\b",
         r"\bcare (for|of) (a |her |his |their )?(relative|parent|child)"),
    ),
    "religion": (
        "religion or belief",
        ("religion", "church", "mosque", "synagogue", "temple", "pray", "prayer", "faith", "worship",
         "god", "christian", "muslim", "islam", "jewish", "judaism", "hindu", "sikh", "buddhis",
         "atheis", "sabbath", "ramadan", "fasting", "hijab", "turban", "kosher", "halal", "spiritual",
         "believer", "denomination"),
        (r"\bholy (day|days|holiday)", r"\breligious (holiday|observance|practice|belief)",
         r"\bwhat (do|does) (he|she|they) believe in\b"),
    ),
    "race_origin": (
        "race, ethnicity or national origin",
        ("race", "racial", "ethnic", "ethnicity", "skin", "colour", "color", "heritage", "ancestry",
         "ancestor", "tribe", "caste", "accent", "foreign", "foreigner", "immigrant", "immigration",
         "migrant", "origin", "native"),
        (r"\bwhere (is|are|be) (he|she|they|the candidate) (originally )?from\b", r"\bmother tongue\b",
         r"\bfirst language\b", r"\bcountry of (birth|origin)\b", r"\b(what|which) country\b.*\bfrom\b",
         r"\bbackground\b.*\b(cultural|ethnic|national)\b", r"\b(cultural|ethnic|national) background\b"),
    ),
    "nationality": (
        "nationality beyond the right to work",
        ("nationality", "citizen", "citizenship", "passport", "visa"),
        (r"\bwhat nationality\b",),
    ),
    "sexual_orientation": (
        "sexual orientation",
        ("gay", "lesbian", "bisexual", "homosexual", "heterosexual", "straight", "queer", "lgbt",
         "lgbtq", "orientation", "boyfriend", "girlfriend", "sexual", "sexuality"),
        (r"\b(date|dating|dates) (men|women|a man|a woman)\b", r"\bsame-sex\b", r"\bsame sex\b"),
    ),
    "gender_identity": (
        "sex or gender identity",
        ("gender", "transgender", "trans", "transition", "nonbinary", "non-binary", "pronoun",
         "feminine", "masculine", "sex"),
        (r"\bman or (a )?woman\b", r"\bwoman or (a )?man\b", r"\bborn (a )?(male|female|man|woman)\b"),
    ),
    "marital_status": (
        "marital or relationship status",
        ("marry", "marital", "spouse", "husband", "wife", "divorce", "divorced", "widow", "widowed",
         "fiance", "fiancee", "engaged", "partner", "wedding", "single", "separated", "civil union"),
        (r"\bin a relationship\b", r"\bsettle(d)? down\b", r"\bwho (do|does) (he|she|they) live with\b"),
    ),
    "union_membership": (
        "trade union membership",
        ("union", "unionis", "unioniz", "strike", "picket", "shop steward"),
        (r"\bcollective (bargaining|action)\b", r"\bindustrial action\b", r"\bwork(er|ers)? council\b"),
    ),
    "political_views": (
        "political opinions",
        ("politic", "vote", "voted", "voting", "voter", "election", "party member", "left-wing",
         "right-wing", "conservative", "liberal", "socialist", "communist", "activism", "activist",
         "protest", "campaign", "ideology"),
        (r"\b(which|what) party\b", r"\bpolitical (view|opinion|belief|leaning|affiliation)",
         r"\bleft or right\b"),
    ),
}

# Words that make an otherwise protected word harmless in a work question.
_WORK_SENSES = {
    "party": ("third party", "third-party", "party to", "parties involved"),
    "condition": ("working condition", "market condition", "conditions of", "terms and conditions",
                  "condition of the", "under what condition", "under which condition", "race condition",
                  "edge condition", "boundary condition", "error condition", "success condition"),
    "single": ("single point", "single source", "single project", "single team", "single most",
               "single biggest", "a single", "single client", "single task"),
    "partner": ("business partner", "partner organisation", "partner organization", "partner company",
                "partners with", "partnered with", "partner team", "client or partner", "clients and partners",
                "partner firm", "delivery partner", "channel partner", "partner agenc"),
    "campaign": ("marketing campaign", "ad campaign", "sales campaign", "email campaign", "campaigns for clients",
                 "campaign budget", "campaign performance"),
    "trans": ("transaction", "transfer", "translat", "transport", "transit", "transform", "transparen"),
    "transition": ("transition plan", "handover", "role transition", "transition to", "transition from",
                   "transition of", "transitioned to", "transitioned from"),
    "origin": ("original", "originat"),
    "native": ("cloud-native", "cloud native", "native app", "native mobile", "native code"),
    "strike": ("strike a balance", "strikes a balance", "striking a balance", "strike the right"),
    "sex": ("sextant",),
    "straight": ("straight away", "straightforward", "straight to", "straight after"),
    "colour": ("colour scheme", "colour palette", "color scheme", "color palette"),
    "color": ("color scheme", "color palette"),
    "family": ("product family", "family of products", "font family"),
    "race": ("race condition", "race conditions"),
    "union": ("european union", "union of", "union type", "sql union"),
    "drug": ("drug discovery", "drug development", "drug safety", "drug trial", "pharmac"),
    "vote": (),
    "weight": ("weighting", "weighted", "carry weight", "carries weight", "weight to"),
    "engaged": ("engaged with", "engaged in", "engaged the", "engaged team", "engaged stakeholders", "engaged clients"),
    "visa": (),
    "generation": ("lead generation", "code generation", "report generation", "generation of", "revenue generation",
                   "demand generation", "generation tool", "generation pipeline"),
    "senior": (),
    "mental": ("mental model", "mental models"),
    "fasting": ("fast-paced",),
    "protest": (),
    "old": ("old system", "old code", "old process", "old team", "old role", "old job", "old company"),
    "young": ("young company", "young team", "young product", "young startup"),
    "mother": ("mother company", "motherboard"),
    "accent": (),
}
# Allowed plainly: the right to work is a lawful question; everything else about nationality is not.
_RIGHT_TO_WORK = re.compile(r"\b(right|eligib\w*|permit\w*|authori[sz]\w*) to work\b|\bwork (permit|authori[sz]ation)\b")


def _protected(text: str, tokens: list[str]) -> list[Problem]:
    """Find questions that reach into protected characteristics or their proxies."""
    stems = [stem(t) for t in tokens]
    found: list[Problem] = []
    for concept, (label, lexicon, phrases) in PROTECTED.items():
        evidence = None
        for term in lexicon:
            if " " in term or "-" in term:
                if re.search(rf"\b{re.escape(term)}", text):
                    evidence = term
            else:
                term_stem = stem(term)
                for token, token_stem in zip(tokens, stems, strict=True):
                    if token == term or token_stem == term_stem or (
                        len(term) >= 5 and token.startswith(term)
                    ):
                        evidence = token
                        break
            if evidence and not _work_sense(term, evidence, text):
                break
            evidence = None
        if evidence is None:
            for pattern in phrases:
                match = re.search(pattern, text)
                if match:
                    evidence = match.group(0)
                    break
        if evidence is None:
            continue
        if concept == "nationality" and _RIGHT_TO_WORK.search(text) and not re.search(
            r"\bnationality\b|\bcitizenship\b|\bpassport\b", text
        ):
            continue
        found.append(Problem(
            "protected",
            f"Asks about {label} (\u201c{evidence}\u201d), which has no place in a reference "
            "and may be unlawful to consider.",
            "Remove the question, or ask only about observable work: tasks, results, "
            "reliability, collaboration." + (" You may ask whether they have the right to work."
                                             if concept == "nationality" else ""),
            evidence,
        ))
    return found


def _work_sense(term: str, evidence: str, text: str) -> bool:
    """Say whether a protected word is used in an ordinary work sense here."""
    for key in {term, evidence, stem(evidence)}:
        for phrase in _WORK_SENSES.get(key, ()):
            if phrase in text:
                return True
    return False


# ---------------------------------------------------------------- leading wording

_LOADED = {
    "excellent", "outstanding", "amazing", "brilliant", "exceptional", "superb", "fantastic",
    "wonderful", "great", "remarkable", "stellar", "terrific", "incredible", "impressive",
    "terrible", "awful", "poor", "lazy", "sloppy", "incompetent", "weak", "toxic", "difficult",
    "problematic", "dishonest", "arrogant", "aggressive", "abrasive", "unreliable", "careless",
    "obviously", "clearly", "undoubtedly", "surely", "certainly", "naturally", "famous",
    "notorious", "infamous", "stubborn", "disruptive", "dedicated", "passionate", "tireless",
    "rockstar", "ninja", "genius", "star", "talented", "gifted", "flawless", "perfect",
    "frustrating", "annoying", "unprofessional",
}
_LEADING_PATTERNS: tuple[tuple[str, str], ...] = (
    (r"\b(do not|would not|would|do|can not|could not|wouldn't|don't) you (agree|think|say|feel|find|believe|accept)\b",
     "invites the referee to agree"),
    (r"\b(is it not|is not it|was it not|was not it|isn't it|wasn't it) (true|fair|clear|obvious)\b",
     "presents an opinion as settled"),
    (r"\bit (is|was|be) (true|fair|clear|obvious) that\b", "presents an opinion as settled"),
    (r"\b(agree|confirm|admit|acknowledge) that\b", "asks for agreement with a stated view"),
    (r",? (right|correct|yes|no|surely|true)\s*\?\s*$", "ends with a tag that invites agreement"),
    (r"\b(is not|are not|was not|were not|do not|does not|did not|has not|have not|can not|would not|should not|could not) (she|he|they|the candidate)\b[^?]*\?",
     "asks a negative question that expects 'yes'"),
    (r",? (is not|are not|was not|were not|did not|does not|do not|has not|have not|can not|would not|could not) (she|he|they|it)\s*\?\s*$",
     "ends with a tag that invites agreement"),
    (r"\bhow (much|far|greatly|significantly|often) (did|does|has|have) (she|he|they|the candidate) (improve|exceed|excel|surpass|outperform|boost|transform|raise|increase|fail|struggle|damage|hurt|disappoint|let down)",
     "assumes the outcome it asks about"),
    (r"\b(how|in what ways?) (great|good|excellent|bad|poor|strong|weak|impressive|talented)\b",
     "assumes a judgement in the question"),
    (r"\bwhy (is|was|be|are|were|did|does|do) (she|he|they|the candidate) (so|such|always|never|not)\b",
     "assumes a trait and asks only for its cause"),
    (r"\bwhat (made|makes) (her|him|them|the candidate) (so|such)\b", "assumes a trait and asks only for its cause"),
    (r"\bhow (bad|serious|severe|often) (was|were|is|are) (her|his|their) (problem|mistake|failure|lateness|issue|attitude)",
     "assumes a problem exists"),
    (r"\b(given|since|considering|as) (that )?(she|he|they|the candidate) (be|is|was|were|are|has|had|did|always|never|clearly|obviously)\b",
     "builds an assumption into the question"),
    (r"\bwhen did (she|he|they|the candidate) (stop|start|first) ", "presupposes something happened"),
    (r"\b(most|many|all|several|everyone|everybody|people|others)( [a-z]+)? (say|says|said|agree|agrees|think|thinks|find|finds|found|describe|described)\b",
     "appeals to what others supposedly think"),
    (r"\bshould we (worry|be concerned|be worried)\b", "suggests a conclusion"),
)


def _leading(text: str, tokens: list[str]) -> list[Problem]:
    """Find wording that pushes the referee towards an answer."""
    found: list[Problem] = []
    for pattern, why in _LEADING_PATTERNS:
        match = re.search(pattern, text)
        if match:
            found.append(Problem(
                "leading", f"The wording {why} (\u201c{match.group(0).strip(' ,?')}\u201d).",
                "Ask openly and neutrally, for example: \u201cHow would you describe \u2026?\u201d "
                "or \u201cWhat did you observe about \u2026?\u201d",
                match.group(0).strip(" ,?"),
            ))
            break
    loaded = [t for t in tokens if t in _LOADED or stem(t) in _LOADED]
    # "great deal", "star schema" and "poor connectivity" are not judgements of the candidate.
    loaded = [t for t in loaded if not re.search(rf"\b{t} (deal|schema|network|connectivity|weather)\b", text)]
    if loaded:
        found.append(Problem(
            "leading", f"A loaded word (\u201c{loaded[0]}\u201d) suggests the answer before it is given.",
            "Remove the judgement and ask for observations; let the referee choose the words.",
            loaded[0],
        ))
    return found


# ---------------------------------------------------------------- double-barrelled

_RANGE = re.compile(r"\b(between|from) [^?]{1,60}? (and|to) \b|\bstart(ing)? and end(ing)?\b|\bpros and cons\b"
                    r"|\bor not\b|\bor (do not|don't) know\b|\band/or\b|\bup and running\b|\bback and forth\b"
                    r"|\bmore or less\b|\bq and a\b|\br and d\b|\bterms and conditions\b|\bdate (range|from)\b"
                    r"|\bfrom when (to|until) when\b|\bmonth and year\b|\bname and (job )?title\b")
_QUESTION_STARTERS = {"how", "what", "why", "when", "where", "who", "which", "did", "does", "do", "is",
                      "was", "were", "are", "can", "could", "would", "will", "has", "have", "should"}
_VERBISH = re.compile(r"\b(did|does|do|is|was|were|are|has|have|would|could|can|will|should|handle|handled|"
                      r"work|worked|manage|managed|communicate|communicated|perform|performed|lead|led|"
                      r"rate|rated|describe|deliver|delivered)\b")


def _double_barrelled(text: str, tokens: list[str]) -> list[Problem]:
    """Find two questions asked as one."""
    if text.count("?") > 1:
        return [_double("two question marks")]
    cleaned = _RANGE.sub(" ", text)
    for sentence in re.split(r"[.;:!]", cleaned):
        parts = re.split(r"\s*,?\s+\b(and|or|as well as|plus|and also|but also)\b\s+", sentence)
        if len(parts) < 3:
            continue
        left, joiner, right = parts[0], parts[1], parts[2]
        right_words = words(right)
        if not right_words:
            continue
        # "How was her planning and how was her delivery?" / "... and would you hire her again?"
        if right_words[0] in _QUESTION_STARTERS:
            return [_double(f"\u201c{joiner} {right_words[0]} \u2026\u201d starts a second question")]
        # "Was she punctual and reliable?" / "rate his communication and leadership"
        left_words = words(left)
        if left_words and left_words[0] in _QUESTION_STARTERS and len(right_words) <= 6:
            if joiner in ("or",) and any(w in ("other", "else", "elsewhere") for w in right_words):
                continue
            if _VERBISH.search(left) and right_words[0] not in ("then", "so"):
                return [_double(f"it joins two things with \u201c{joiner}\u201d: "
                                f"\u201c{' '.join(left_words[-2:])} {joiner} {' '.join(right_words[:3])}\u201d")]
    return []


def _double(why: str) -> Problem:
    """Describe a double-barrelled question."""
    return Problem(
        "double_barrelled", f"This asks two things at once ({why}), so one answer cannot be read.",
        "Split it into separate questions, one idea each.", why,
    )


# ---------------------------------------------------------------- absolutes

_ABSOLUTES = re.compile(
    r"\b(always|never|ever|every|all the time|at all times|constantly|continually|"
    r"without (fail|exception)|invariably|each and every|not once|no one|nobody|everyone|everybody|"
    r"completely|totally|entirely|100 ?%|in every (case|situation)|under any circumstances?)\b"
)


def _absolute(text: str) -> list[Problem]:
    """Find wording that asks for all-or-nothing answers."""
    match = _ABSOLUTES.search(text)
    if not match:
        return []
    return [Problem(
        "absolute", f"\u201c{match.group(0)}\u201d asks for an all-or-nothing answer that few people "
        "can honestly give.",
        "Ask how often or in what situations, for example: \u201cHow often \u2026?\u201d or "
        "\u201cDescribe a time when \u2026\u201d.", match.group(0),
    )]


# ---------------------------------------------------------------- entry points

def lint(question: str) -> Result:
    """Check one question and return every problem found."""
    text = normalise(question)
    tokens = words(text)
    result = Result(question=question)
    if not tokens:
        return result
    result.problems.extend(_leading(text, tokens))
    result.problems.extend(_protected(text, tokens))
    result.problems.extend(_double_barrelled(text, tokens))
    result.problems.extend(_absolute(text))
    return result


def lint_all(questions: list[str]) -> list[Result]:
    """Check several questions."""
    return [lint(q) for q in questions]
