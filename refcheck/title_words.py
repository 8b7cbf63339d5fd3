"""The words job titles are written in: abbreviations, numerals and alternate titles of one occupation. Pure.

Read by refcheck.titles. The alternate titles are few on purpose: each group is one occupation at one
level in a published taxonomy, named beside it, and never holds a word of seniority. What we found in
the taxonomies and why the list stops here is in tests/data/MATCHING.md.
"""

from __future__ import annotations

from dataclasses import dataclass

# Abbreviations in job titles; several readings where one abbreviation stands for more than one word
# ("PM" is a product, project or program manager), any of which may match.
ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "sr": ("senior",), "snr": ("senior",), "jr": ("junior",), "jnr": ("junior",),
    "mgr": ("manager",), "mngr": ("manager",), "mgmt": ("management",), "mgt": ("management",),
    "eng": ("engineer", "engineering"), "engr": ("engineer",), "engg": ("engineering",),
    "dev": ("developer", "development"), "vp": ("vice president",), "svp": ("senior vice president",),
    "evp": ("executive vice president",), "avp": ("assistant vice president",), "dir": ("director",),
    "assoc": ("associate",), "asst": ("assistant",), "exec": ("executive",),
    "admin": ("administrator", "administrative", "administration"), "ops": ("operations",),
    "mktg": ("marketing",), "mkt": ("marketing",), "swe": ("software engineer",),
    "sde": ("software development engineer",),
    "pm": ("product manager", "project manager", "program manager"), "qa": ("quality assurance",),
    "qc": ("quality control",), "hr": ("human resources",), "it": ("information technology",),
    "ux": ("user experience",), "ui": ("user interface",), "cto": ("chief technology officer",),
    "ceo": ("chief executive officer",), "cfo": ("chief financial officer",),
    "coo": ("chief operating officer",), "cio": ("chief information officer",),
    "cmo": ("chief marketing officer",), "ciso": ("chief information security officer",),
    "chro": ("chief human resources officer",), "md": ("managing director",), "gm": ("general manager",),
    "rep": ("representative",), "svc": ("service",), "svcs": ("services",), "acct": ("account",),
    "accts": ("accounts",), "coord": ("coordinator",),
    "spec": ("specialist",), "supv": ("supervisor",), "supvr": ("supervisor",),
    "tech": ("technician", "technical", "technology"), "sys": ("systems",),
    "sysadmin": ("systems administrator",), "dba": ("database administrator",),
    "sre": ("site reliability engineer",), "bdm": ("business development manager",),
    "bd": ("business development",), "ba": ("business analyst",), "csr": ("customer service representative",),
    "rn": ("registered nurse",), "pa": ("personal assistant",), "ea": ("executive assistant",),
    "mfg": ("manufacturing",), "prod": ("product", "production"), "proj": ("project",),
    "intl": ("international",), "natl": ("national",), "govt": ("government",), "dept": ("department",),
    "mech": ("mechanical",), "elec": ("electrical",), "ml": ("machine learning",),
    "ai": ("artificial intelligence",), "bi": ("business intelligence",), "pr": ("public relations",),
}
# Roman numerals of a level ("Engineer II"); read only after the first word, where a level stands.
ROMAN = {"i": "1", "ii": "2", "iii": "3", "iv": "4", "v": "5", "vi": "6", "vii": "7", "viii": "8",
         "ix": "9", "x": "10"}
ORDINALS = {"1st": "first", "2nd": "second", "3rd": "third", "4th": "fourth"}
# Words that carry no meaning of their own in a title: "Head of Marketing" is "Marketing Head". "in"
# does ("Manager in Training" is not a "Training Manager").
SMALL = {"of", "the", "for", "and", "a", "an"}
# Said before a level's number ("Level 2 Engineer"); the number is what counts.
LEVEL = {"level", "lvl"}


@dataclass(frozen=True)
class Occupation:
    """Alternate titles of one occupation at one level, and the taxonomy that lists them together."""

    canonical: tuple[str, ...]
    titles: tuple[tuple[str, ...], ...]
    source: str


def _occupation(source: str, *titles: str) -> Occupation:
    """Describe an occupation by its titles, the first being the one it is read as."""
    spelled = tuple(tuple(title.split()) for title in titles)
    return Occupation(spelled[0], spelled, source)


_SOFTWARE = "O*NET 15-1252.00 Software Developers; ONS SOC 2020 unit group 2134"
# Every title is listed once: a title in two groups would be read as whichever came last.
# Where "developer", "engineer" and "programmer" name one software occupation, after these words.
_SOFTWARE_KINDS = ("frontend", "backend", "fullstack", "mobile", "ios", "android", "web")

OCCUPATIONS: tuple[Occupation, ...] = (
    _occupation(_SOFTWARE, "software developer", "software engineer", "software development engineer",
                "software programmer", "computer programmer", "programmer", "application developer",
                "applications developer"),
    *(_occupation(_SOFTWARE, f"{kind} developer", f"{kind} engineer", f"{kind} programmer")
      for kind in _SOFTWARE_KINDS),
    _occupation("O*NET 23-1011.00 Lawyers", "lawyer", "attorney", "attorney at law"),
    _occupation("O*NET 23-2011.00 Paralegals and Legal Assistants", "paralegal", "legal assistant"),
    _occupation("O*NET 29-1141.00 Registered Nurses", "registered nurse", "staff nurse"),
    _occupation("O*NET 29-1123.00 Physical Therapists; ESCO physiotherapist", "physical therapist",
                "physiotherapist"),
    _occupation("O*NET 49-3023.00 Automotive Service Technicians and Mechanics; ONS SOC 2020 unit group "
                "5231", "automotive technician", "automotive service technician", "auto mechanic",
                "automotive mechanic", "car mechanic", "motor mechanic", "vehicle technician",
                "motor vehicle technician"),
    _occupation("O*NET 43-3031.00 Bookkeeping, Accounting, and Auditing Clerks", "bookkeeper",
                "bookkeeping clerk"),
    _occupation("O*NET 35-3031.00 Waiters and Waitresses", "waiter", "waitress", "server"),
    _occupation("ONS SOC 2020 unit group 7111 Sales and retail assistants", "sales assistant",
                "shop assistant", "retail assistant", "retail sales assistant"),
    _occupation("O*NET 43-4051.00 Customer Service Representatives", "customer service representative",
                "customer service agent", "customer service advisor", "customer services advisor",
                "customer services representative", "customer services agent"),
    _occupation("ONS SOC 2020 unit group 8211 Large goods vehicle drivers; O*NET 53-3032.00",
                "truck driver", "lorry driver", "hgv driver", "heavy goods vehicle driver"),
    _occupation("O*NET 25-2021.00 Elementary School Teachers; ONS SOC 2020 primary education teaching "
                "professionals", "primary school teacher", "primary teacher", "elementary school teacher",
                "elementary teacher"),
    _occupation("ONS SOC 2020 unit group 2321 Head teachers and principals", "headteacher", "head teacher",
                "headmaster", "headmistress"),
    _occupation("ONS SOC 2020 unit group 1111 Chief executives and senior officials",
                "chief executive officer", "chief executive"),
    # The same title in a man's, a woman's and a neutral form, as the ONS coding index lists them.
    _occupation("ONS SOC 2020 coding index", "salesperson", "salesman", "saleswoman", "sales person"),
    _occupation("ONS SOC 2020 coding index", "chairperson", "chairman", "chairwoman", "chair"),
    _occupation("ONS SOC 2020 coding index", "foreperson", "foreman", "forewoman"),
    _occupation("ONS SOC 2020 coding index", "spokesperson", "spokesman", "spokeswoman"),
)
