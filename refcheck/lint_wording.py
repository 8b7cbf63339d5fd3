"""Wording that gets in the way of an honest answer: leading, double-barrelled and absolute questions.

Each rule names one form the problem takes (a tag question, a presupposition, two questions joined by
"and", "ever") so the explanation can say which. Pure: no Flask import.
"""

from __future__ import annotations

import re

from .lint_base import Problem, Rule, expand, is_closed, question_part, unquoted

# Judgements about the candidate: pushing the referee towards praise or blame before they answer.
LOADED = (r"(excellent|outstanding|amazing|brilliant|exceptional|superb|fantastic|wonderful|remarkable|"
          r"stellar|"
          r"terrific|incredible|impressive|phenomenal|extraordinary|first-rate|world-class|top-notch|"
          r"talented|gifted|flawless|perfect|invaluable|indispensable|inspiring|inspirational|tireless|"
          r"dedicated|passionate|hard-working|hardworking|legendary|star|rockstar|rock-star|genius|"
          r"terrible|awful|dreadful|appalling|lazy|sloppy|incompetent|disorganised|disorganized|hopeless|"
          r"useless|toxic|arrogant|abrasive|rude|dishonest|unreliable|careless|difficult|obnoxious|"
          r"frustrating|annoying|unprofessional|poor|weak|bad|chaotic|erratic|negative|problematic|"
          r"troublesome|disruptive|stubborn|lacklustre|lackluster|mediocre|shoddy|obvious|natural|"
          r"undeniable|unmatched|unrivalled|unbeatable|great|strong|fine|wonderfully|brilliantly|"
          r"superbly|impressively|exceptionally|terribly|poorly|badly|lazily|sloppily|hard)")
_PERSON_BEFORE = r"(?:her|his|their|the candidate's|candidate's|[a-z]+'s|such an?|so|how|as an?|too|that)"
# Loaded words that are just as often about something else ("a difficult customer", "a great deal").
_CONTEXT_ONLY = r"(difficult|poor|weak|bad|great|strong|fine|hard|negative|natural|obvious|perfect|star)"

LEADING: tuple[Rule, ...] = (
    Rule(r"\b(do|would|could|can|will) not you (agree|think|say|feel|find|believe|accept|admit)\b|\b(do|"
         r"would)"
         r" you not (agree|say|think|accept)\b|\byou (would|will|must|surely|probably) (agree|admit|"
         r"accept)\b|"
         r"\b(would|do|will|can|could) you agree\b|\byou agree\b|\bagree(d)?\s*\?\s*$|\bagree with (me|us|"
         r"that|them|the)\b", "invites the referee to agree with a view the question already holds"),
    Rule(r",\s*(is|was|are|were|did|does|do|has|have|had|would|could|will|can|should|must|shall) not "
         r"(she|he|they|it|you|there|we|i)\s*\?\s*$|,\s*(is|was|are|were|did|does|do|has|have|had|would|could"
         r"|will|can|should) (she|he|they|it|you|there|we)\s*\?\s*$|,\s*(right|correct|true|yes|no|yeah|"
         r"surely"
         r"|agreed|ok|okay|am i right|yes or no)\s*\?\s*$",
         "ends with a tag that asks the referee to confirm the statement before it"),
    Rule(r"^(is|was|are|were|did|does|do|has|have|had|would|could|can|will|should) not (she|he|they|it|the "
         r"candidate|you|there|that|this)\b|^(is|was|are|were|did|does|do|has|have|would|could) (she|he|"
         r"they|it"
         r"|the candidate|you|there) not\b",
         "asks a negative question that expects the answer 'yes'"),
    Rule(r"\b(is it not|is not it|was it not|was not it|would it not be|is it|was it|would it be|it is|it "
         r"was|"
         r"it would be) (true|fair|clear|obvious|safe|accurate|right|evident|correct)( to say)?( that)?\b"
         r"|\b(can|could|would) you (confirm|admit|acknowledge|accept) that\b|"
         r"\b(confirm|admit|acknowledge|accept) that\b|,\s*i (take it|assume|suppose|guess|presume|imagine|"
         r"gather|believe)\s*\?\s*$|^i (take it|assume|presume|gather|imagine|suppose)\b",
         "presents an opinion as settled and asks the referee to confirm it",
         unless=r"\bconfirm that (the candidate|she|he|they) (worked|was employed|started|left|held|joined)"
                r" [^?]{0,60}(from|between|until|since|in|as) "),
    Rule(r"^(surely|obviously|clearly|undoubtedly|of course|naturally|no doubt|certainly|evidently|"
         r"presumably)\b|\b(surely|undoubtedly|no doubt|of course|without doubt|without question|"
         r"unquestionably|obviously|evidently)\b|\b(clearly|certainly|truly|really|genuinely) (a|an|the|one|"
         r"was|is|were|very|so|gifted|talented|brilliant|the best|excellent|lazy|struggled|outstanding|"
         r"exceptional|capable)\b",
         "states the answer as obvious before the referee gives it",
         unless=r"\bhow (clearly|certainly|really)\b|\b(communicat\w*|explain\w*|writ\w*|wrote|spoke|"
                r"speak\w*|"
                r"present\w*|express\w*|defin\w*|set out|document\w*|report\w*|label\w*|state\w*) "
                r"(\w+ )?clearly\b"),
    Rule(rf"\bas {LOADED} as\b|\b{_PERSON_BEFORE} (very |truly |really |so |most |rather |quite |clearly |"
         rf"obviously )?{LOADED}\b"
         rf"|\b{LOADED} (leader|performer|talent|hire|worker|employee|engineer|manager|analyst|designer|"
         r"colleague|person|choice|asset|attitude|work ethic)\b",
         "describes the candidate with a judgement the referee has not made",
         unless=rf"\b(a|an|the|any|some|this|that) ({_CONTEXT_ONLY}) (customers?|clients?|colleagues?|"
                r"decisions?|situations?|conversations?|deadlines?|news|weather|deal|connectivity|network|"
                r"schema|data|results?|quarter|year|period|stakeholders?|market|conditions|feedback|"
                r"question|questions|choices?|calls?|problem|problems|tasks?|projects?|patch|spell|team)\b"
                r"|\bhow (good|hard|strong|fine|well|bad|poor)\b[^?]{0,40}\b(was|were|is|are|did|does)\b"
                r"|\bhow (hard|difficult|strong|weak)\b|\bso (that|far|on|much|many|as|forth|called)\b|"
                r"\b(from|between) (\w+ ){0,2}(poor|weak|bad|excellent|great|outstanding)( \w+)? (to|and) "
                r"(\w+ )?(excellent|outstanding|great|strong|poor|weak|bad)\b|\b(natural|star) "
                r"(language|schema|light|gas|resources|history)\b|\bstrong (areas|points|suits?)\b|\b"
                r"(difficult|hard|weak|poor|bad) (time|times|moments?|period|patch|news)\b"
                r"|\bthe (best|most) "),
    Rule(rf"^{{AUX}} {{S}}( really| always| truly)? (a |an |the |so |as |such an? )?(\w+ )?{LOADED}\b"
         r"|^{AUX} {S} (the |one of (the |your )?)(best|top|strongest|most (talented|capable|gifted|valuable|"
         r"productive|reliable)|greatest|finest|worst|weakest)\b|\b(top|star|best|high|strongest) (performer|"
         r"hire|analyst|engineer|employee|salesperson|seller)s?\b|\bhigh-?flyer\b|\brock ?star\b",
         "asks the referee to confirm a judgement rather than describe what they saw",
         unless=rf"^{{AUX}} {{S}} (\w+ )?(a|an|the) ({_CONTEXT_ONLY}) (customers?|clients?|fit for)"),
    Rule(r"^{AUX} {S} really\b|\b(can|could|will|would) {S} really\b",
         "casts doubt on the candidate before the referee answers"),
    Rule(r"\bbefore (she|he|they) finally\b|\bhow long (had|has) {S} been (struggling|failing|"
         r"underperforming|"
         r"slacking|coasting|behind|drinking)\b|\b{S} kept (turning in|handing in|making|missing|being|"
         r"getting|"
         r"failing|forgetting|breaking)\b",
         "presupposes a failing and asks only how long or how often"),
    Rule(r"\bwhen did {S} (stop|quit|give up|finally|begin to improve|start to improve|start improving|"
         r"learn to|realise|realize)\b|\bhow (long|often) did it take (her|him|them|the candidate) to (fix|"
         r"stop|improve|learn)\b|\bwhat (stopped|prevented|kept) {O} from\b",
         "presupposes something happened before asking about it"),
    Rule(r"\bwhy (is|was|were|are|did|does|do|has|had) {S} (so|such|always|never|not|fail|failed|struggle|"
         r"struggled|refuse|refused|keep|kept|resist|resisted|avoid|avoided|ignore|ignored|constantly|"
         r"often|repeatedly|unable)\b|\bwhat (were|are|was|is) the reasons? (for )?{PR} (fail|failed|"
         r"struggle|struggled|missed|underperform|underperformed|lost|could not)\b|\bwhy did {S} (fail|miss|"
         r"underperform|lose|struggle|get fired|mess up|let down)\b|\b(reasons?|causes?) (for|behind) "
         r"(her|his|their|the candidate's) (failure|failures|poor|mistakes|lateness|struggles|"
         r"underperformance)",
         "assumes a failing or a trait and asks only for its cause"),
    Rule(r"\b(so|such an?|such) (\w+ly )?(productive|successful|popular|effective|good|great|bad|slow|late|"
         r"disorganised|disorganized|unreliable|lazy|talented|difficult|hard|easy|brilliant|outstanding|"
         r"excellent|valuable|capable|reliable|well-liked|respected|admired|loved|hated|special|"
         r"impressive|strong|weak|poor|helpful|negative|positive|quick|fast|inspiring|gifted|"
         r"dependable|effective|exceptional|skilled|natural|asset|pleasure|joy|star|delight|nightmare|cloud|"
         r"mess|"
         r"disaster|calm|composed|confident|organised|organized|driven|committed|motivated|creative|"
         r"determined|resilient|patient|hard-working|professional|well organised|quickly|well|badly|"
         r"poorly|often|rude|arrogant|careless|sloppy|bad-tempered|defensive|aggressive)\b",
         "assumes the quality it asks about",
         unless=r"\bso (that|far|on|much|many|as|forth|called)\b|\bsuch as\b"),
    Rule(r"\bhow (much|far|greatly|significantly|dramatically|substantially) (did|does|has|have|had) "
         r"(her|his|their|the candidate's|she|he|they|the candidate|[a-z]+'s|[a-z]+)( \w+){0,3} (improv\w*|"
         r"exceed\w*|"
         r"excel\w*|surpass\w*|outperform\w*|boost\w*|transform\w*|rais\w*|increas\w*|help\w*|strengthen\w*|"
         r"grow\w*|lift\w*|enhanc\w*|benefit\w*|contribut\w*|add\w*|hurt|damag\w*|harm\w*|disappoint\w*|"
         r"disrupt\w*|slow\w*|delay\w*|hamper\w*|hinder\w*|interfer\w*|"
         r"lower\w*|reduc\w*|cut|save\w*|win|won|delight\w*)\b|\bhow (much )?(better|worse) (did|was|were|"
         r"is|are|has|had)\b|\bhow much (better|worse|more|less)\b",
         "assumes the outcome it asks about",
         unless=r"\bhow much did the (team|budget|business|company|department|revenue)"),
    Rule(r"\bhow (badly|poorly|severely|seriously|negatively|positively|greatly|enormously|hugely|"
         r"grateful|pleased|happy|thrilled|delighted|impressed|disappointed|angry|upset|frustrated|annoyed|"
         r"bad|serious|severe)\b",
         "assumes how it turned out and asks only how much",
         unless=r"\bhow (seriously|happy|pleased) (did|does|was|were|is|are) (she|he|they|the candidate) "
                r"(take|treat|approach|with)"),
    Rule(r"\b(everyone|everybody|people|others|most people|(most|many|several|some|other|all the|all|both) "
         r"(referees|"
         r"references|people|colleagues|managers|clients|customers|peers)( \w+)?|(everyone|everybody|"
         r"people) in the "
         r"(office|team|department|company|building)|(most|many|several|some|"
         r"all|both|a few|a couple|"
         r"a number|none) of (her|his|their|the|your|our) (\w+ )?(peers|colleagues|managers|clients|"
         r"customers|"
         r"reports|team|staff|referees|references|bosses|employers|people)|all (her|his|their) (colleagues|"
         r"managers|clients|"
         r"references|referees)|(her|his|their) (peers|colleagues|managers|reports|staff|clients|customers)|"
         r"(her|his|their) (last|previous|former|other) (\w+ )?(managers?|colleagues|"
         r"employers?|references|referees|bosses)|the other referees?|colleagues|clients|customers|her "
         r"team|his team|their team|the team|we|i)( i| we)?( have| had)?( spoken to| talked to| asked| "
         r"heard from)?( all| both)? (say|says|said|told (me|us)|tell (me|us)|agree|agreed|think|thinks|"
         r"thought|praised|praise|describe|described|rave|raved|speak highly|spoke highly|call|called|"
         r"complained|complain|loved|love|adore|adored|mentioned|report|reported|found|find|finds|seem to "
         r"think|seemed to (find|think|say|feel)|seems to (find|think)|felt|feel)\b|\b(i|we) (have|had) "
         r"(heard|been told|read)\b|\b(i|we) (am|are|was|were) told\b"
         r"|\b(i|we) understand (that )?(she|he|they)\b|\b(his|her|their) (file|record|cv|resume|reviews?) "
         r"(suggests?|shows?|says|said|indicates?)\b|(?<!far )\bas (everyone|we all|you) (know|knows|said|"
         r"noticed)\b"
         r"|\baccording to (her|his|their|the other|other)\b|\b(reputation|known) (for|as) being\b"
         r"|\bthe (mistakes|errors|problems|issues|failures|incidents|complaints|shortcomings|failings) "
         r"(that|which) (led|caused|resulted|brought)\b",
         "appeals to what others supposedly think",
         unless=r"\bhow many (people|colleagues|clients|customers|staff|others)\b|^(what|how) (did|do|does|"
                r"would) "
                r"(colleagues|clients|customers|the team|others|people) "
                r"(say|think|describe)\b|\bwhat did (colleagues|clients|customers|others|the team) say\b"
                r"|\bif you heard\b"),
    Rule(r"\b(would|could|can|will|does|did|do) (a|an) (woman|man|mother|father|mum|dad|girl|lady|older \w+|"
         r"younger \w+|foreign\w*|disabled \w+|\w+ (woman|man|person|worker)) (cope|manage|handle|"
         r"keep up|fit|struggle|be able)\b|\b(tough|strong|young|energetic|mature|old|man|woman) "
         r"enough\b|\bcomfortable (with|around) (someone|a person|people) of\b|"
         r"\bhow did being (a |an |the only )?\w+ (affect|shape|influence|hold|limit)\b|\bas a (woman|man|"
         r"mother|father|mum|dad|girl|lady|foreigner|migrant|older \w+|younger \w+), how did {PR} (cope|"
         r"manage|handle|deal|get on|fit)\b|\bkeep up\b[^?]{0,30}\b(being|younger|older)\b",
         "leans on a stereotype about a group and invites the referee to apply it"),
    Rule(r"\bthe way (older|younger|other|most|many) (\w+ )?(staff|people|workers|employees|women|men|"
         r"mothers|"
         r"fathers|parents|colleagues) (sometimes |often |usually |tend to |always )?(do|does|did)\b|\blike "
         r"(older|"
         r"younger|most) (staff|people|workers|women|men)\b",
         "compares the candidate with a stereotype of a group"),
    Rule(r"\bhow (did|does|has|had) (her|his|their|[a-z]+'s) [\w' -]{1,30} (affect|impact|hurt|disrupt|"
         r"hamper|"
         r"hinder|limit|get in the way of) (her|his|their) (work|attendance|performance|output|reliability|"
         r"productivity|availability|focus)\b|\bhow often did {S} (turn up late|arrive late|come in late|"
         r"show up "
         r"late|miss|fail|forget|lose|break|mess up|let)\b|\bwhat (was|were) behind {P} (dip|drop|decline|"
         r"fall|"
         r"slump|problems?|failures?|mistakes|poor|struggles?|underperformance)\b|\b(dip|drop|decline|slump|"
         r"fall-off) in (her|his|their|[a-z]+'s) (performance|output|productivity|results|work)\b",
         "presupposes a problem and asks only about its size or cause",
         unless=r"\bif (at all|ever|any)\b|, if any\b"),
    Rule(r"\b{P} (carelessness|laziness|arrogance|incompetence|rudeness|sloppiness|tardiness|negativity|"
         r"excellence|brilliance|genius|failings|shortcomings|failures|flaws|poor \w+|lack of \w+|"
         r"inexperience|bad \w+|weak \w+|attitude problem|disorgani[sz]ation|unreliability|"
         r"dishonesty|demotion|dismissal|firing|sacking|warnings)\b|\bhow (quickly|fast|soon|easily) did "
         r"{S} (master|conquer|nail|ace|excel|win over|impress|outperform|outshine)\b",
         "takes a judgement of the candidate as given"),
    Rule(r"\b(would|will|could) you (happily|gladly|definitely|certainly|readily|obviously|of course) (hire|"
         r"rehire|"
         r"re-employ|recommend|work)\b|\b(i am|i'm|we are|we're) (sure|certain|confident|guessing) (that "
         r")?(you|she|he|"
         r"they|the candidate)\b|\bi bet\b|\byou must have been (pleased|glad|relieved|happy|sad|sorry|proud|"
         r"delighted|disappointed|frustrated)\b|\b(the )?(famous|notorious|infamous|legendary)\b|\b(her|his|"
         r"their|"
         r"[a-z]+'s) (talent|gift|flair|brilliance|charisma|passion|dedication|drive|negativity|laziness|"
         r"arrogance|rudeness|sloppiness|bad attitude|poor attitude|great attitude)\b",
         "assumes the answer and asks the referee to agree with it"),
    Rule(r"\b(given|since|considering|because|seeing|with) (that |how |what )?(she|he|they|the candidate|"
         r"her|his|"
         r"their)( is| was| were| has| had|'s)? (so |such |clearly |obviously |very )?(\w+ )?(talent\w*|"
         r"gift\w*|"
         r"brilliant|excellent|outstanding|good|great|strong|weak|poor|lazy|successful|popular|difficult|"
         r"natural|struggl\w*|fail\w*|improv\w*)\b|\bshould we (worry|be concerned|be worried)\b|\bis there "
         r"(any )?truth (in|to) (the|rumou?rs?|claims?)\b"
         r"|\bwhat (went wrong|was wrong) with (her|him|them)\b",
         "builds an assumption into the question"),
)


def leading(text: str) -> list[Problem]:
    """Find wording that pushes the referee towards an answer."""
    for rule in LEADING:
        match = rule.search(text)
        if match:
            evidence = match.group(0).strip(" ,?")
            return [Problem("leading", f"The wording {rule.explanation} (\u201c{evidence}\u201d).",
                            "Ask openly and let the referee choose the words, for example: \u201cHow would "
                            "you describe \u2026?\u201d or \u201cWhat did you observe about \u2026?\u201d",
                            evidence)]
    return []


# ---------------------------------------------------------------- double-barrelled

# Pairs that name one thing, and ranges, whose "and" or "or" joins nothing.
FIXED_PAIRS = (
    r"\b(health and safety|first in and (the )?last out|each and every|research and development|r and d|r&d|"
    r"sales and marketing|profit and loss|p and l|"
    r"terms and conditions|diversity and inclusion|equality and diversity|learning and development|mergers"
    r" and acquisitions|m and a|pros and cons|start and end|starting and ending|"
    r"beginning and end|month and year|name and (job )?title|names and titles|dates and titles|"
    r"supply and demand|trial and error|rules and regulations|policies and procedures|planning and "
    r"delivery|design and build|ios and android|android and ios|front end and back end|front-end and "
    r"back-end|operations and maintenance|compliance and risk|risk and compliance|governance, risk and "
    r"compliance|sales and operations|rights and responsibilities|roles and responsibilities|duties and "
    r"responsibilities|tools and technologies|tools and techniques|skills and experience|training and "
    r"development|facilities and estates|recruitment and retention|finance and accounting|accounts payable"
    r" and receivable|import and export|research and analysis|monitoring and evaluation|command and "
    r"control|black and white|bed and breakfast|arts and crafts|food and beverage|food and drink|"
    r"oil and gas|hardware and software|questions and answers|q and a|up and running|back and forth|"
    r"more or less|sooner or later|one way or another|and/or|or not|or otherwise|or so|either way|"
    r"time and materials|time and motion|gain and loss|ups and downs|give and take|safe and sound|"
    r"sales and service|customer service and support|fire and rescue|search and rescue|arts and "
    r"culture|science and technology|data and analytics|sales and trading|wear and tear|cause and effect|"
    r"checks and balances|odds and ends|law and order|trial and error|peace and quiet|bits and pieces|"
    r"nuts and bolts|facts and figures|bread and butter|and so on|and so forth|et cetera|etc)\b"
    r"|\b(between|from) [^?]{1,50}? (and|to) \b|\bbalanc\w* [^?]{1,40}? (and|with|against) \b"
    r"|\b(both|either|whether) [^?]{1,40}? (and|or) \b(?=[^?]{0,15}(together|each other|alike|at once))"
    r"|\b[\w-]+ and [\w-]+ (rules|policies|procedures|requirements|standards|guidelines|regulations|checks|"
    r"processes|teams?|departments?|functions?|systems?|queries|enquiries|campaigns?)\b"
)
_STARTERS = (r"(how|what|why|when|where|who|whom|which|did|does|do|is|was|were|are|can|could|would|will|has|"
             r"have|should|describe|tell|explain|rate|give|list)")
_EVALUATE = (r"(rate|rating|describe|assess|evaluate|judge|score|grade|compare|comment on|tell (me|us) about|"
             r"what (were|was|are|is|would you say (were|was|are|is)) (her|his|their|the candidate's|"
             r"candidate's|[a-z]+'s)"
             r"|how (would you )?(rate|describe|assess|evaluate|judge|score)|how (were|was|are|is) (her|his|"
             r"their|the candidate's|[a-z]+'s))")

_SITUATIONS = (r"(conflicts?|stress|pressure|feedback|criticism|change|changes|ambiguity|deadlines|setbacks|"
               r"failures?|"
               r"success|uncertainty|workload|risks?|complaints|mistakes|disagreements?|praise|crises|"
               r"escalations|delays|targets)")

_REQUEST_WORDS = r"(describe|tell|explain|rate|give|list|outline|name|say|share|please|can you|could you)"

DOUBLE: tuple[Rule, ...] = (
    Rule(r"(,|;)? ?\b(and|or|but|plus|as well as|and also|also) (if so, )?" + _STARTERS + r"\b(?! (you|we) "
        r"(say|"
         r"think|heard|remember|recall|describe it))(?! (often|far|much|long|many)\b)",
         "joins a second question on with a conjunction",
         unless=r"\bor (do|does|did|is|was|were|are|would|could|have|has) (not|they|you)\b\s*\??$|\bor "
                r"(would|do|did) (you|they) (rather|prefer)\b|^{AUX} [^?]*, or {AUX} ({PR}|it|you|there|"
                r"that|this)\b"
                r"|^(i|we|sorry|forgive|apologies|just|one more|to be fair|with respect)\b[^?]*\bbut\b|"
                r"\b(tell "
                r"(me|us)|describe|talk (me|us) through)\b[^?]*\band (how|what) (she|he|they|the candidate) "
                r"(put|"
                r"fixed|handled|resolved|dealt|recovered|learned|learnt|did|changed)"),
    Rule(r"^{AUX} {S} (both |either )?([\w'-]+ ){1,7}(and|as well as|but also|plus) (\w+)",
         "asks a yes-or-no question about two things at once",
         unless=r"^(can|could|would|will) you (please )?(tell|describe|talk|walk|explain|give|share|outline|"
                r"say)\b|"
                r"\b(right|eligib\w*|permission|authori[sz]ed|allowed) to (live and work|work and live)\b"),
    Rule(rf"\b{_EVALUATE} ([\w'-]+ ){{0,3}}(and|as well as|plus|along with|together with)\b",
         "asks the referee to judge two things in one answer",
         unless=r"\b(tell (me|us)|describe|talk (me|us) through)\b[^?]*\band (how|what) (she|he|they|the "
                r"candidate) (put|fixed|handled|resolved|dealt|recovered|learned|learnt|did|changed)"),
    Rule(r"^how (\w+ly )?\w+ (and|or) (\w+ly )?\w+ (was|were|is|are|did|does)\b",
         "asks how two qualities were in one answer"),
    Rule(r"\band (present|presented|share|shared|explain|explained|deliver|delivered|communicate|"
         r"communicated|"
         r"implement|implemented|follow|followed|act|acted|apply|applied|document|documented|test|tested|"
         r"review|reviewed|fix|fixed|defend|defended|sell|sold) (them|it|on it|on them|through)\b",
         "asks about two actions in one answer"),
    Rule(r"\b(handle|handled|deal with|dealt with|cope with|coped with|respond to|responded to|react to|"
         r"reacted to)"
         r" (\w+ )?" + _SITUATIONS + r" (and|as well as) (\w+ )?" + _SITUATIONS + r"\b",
         "asks how the candidate met two different situations in one answer"),
    Rule(r"\b(both|as well as|not only|but also|while also|and also|at the same time as)\b[^?]{0,60}\?",
         "asks about two things at once"),
)


def double_barrelled(text: str) -> list[Problem]:
    """Find two questions asked as one."""
    text = re.sub(FIXED_PAIRS, " ", unquoted(text))
    sentences = [s for s in re.split(r"(?<=[.?!])\s+", text) if s.strip()]
    # A question counts when it opens like one; "Gym, running, anything like that?" only gives examples.
    opening = rf"((and|but|also|plus) )?({_STARTERS}|{_REQUEST_WORDS})\b"
    # "What happened?" after "Describe a time …" asks about the same moment.
    follow_up = (r"(what happened|how did it end|what was the outcome|how was it resolved|what did (she|he|"
                 r"they) do)")
    asking = [s for s in sentences if re.match(opening, s) and not re.fullmatch(follow_up + r"\s*\??", s)]
    if len(asking) > 1:
        return [_double("asks two questions in separate sentences", f"{asking[0]} {asking[1]}")]
    for part in asking or sentences:
        for rule in DOUBLE:
            match = rule.search(part)
            if match:
                return [_double(rule.explanation, match.group(0))]
    return []


def _double(explanation: str, evidence: str) -> Problem:
    """Describe a double-barrelled question."""
    evidence = evidence.strip(" ,?")
    return Problem("double_barrelled", f"This {explanation} (\u201c{evidence}\u201d), so one answer cannot "
                   "be read.", "Split it into separate questions, one idea each.", evidence)


# ---------------------------------------------------------------- absolutes

ABSOLUTE: tuple[Rule, ...] = (
    Rule(r"\b(always|never|ever|all the time|at all times|constantly|continually|continuously|without (fail|"
         r"exception|a single)|invariably|each and every|every single|not once|never once|no one|nobody|"
         r"everyone|everybody|anyone ever|completely|totally|entirely|perfectly|absolutely|100 per ?cent"
         r"|a hundred per ?cent|under any circumstances?|not a single|without any|zero (mistakes|errors|"
         r"complaints|absences))\b|\b100 ?%|\b(in|at|during|for|on|after) every (?!(day|week|month|quarter|"
         r"year|morning|evening|night|shift|monday|tuesday|wednesday|thursday|friday|weekend|sprint|cycle|"
         r"review|so often|now and then)\b)\w+",
         "asks for an all-or-nothing answer that few people can honestly give",
         unless=r"\b(everyone|everybody)\b[^?]{0,40}\b(seemed|said|says|thinks|thought|found|finds|told|"
                r"tells|"
                r"agrees|agreed)\b|\b(you|we) would never\b|"
                r"^(what|which|who|whom|whose|where|how|when|why)\b[^?]*\b(always|never|ever|constantly|"
                r"continually|all the time)\b|\bnever (got|had) (to|the chance|a chance|round to|around "
                r"to)\b|\b("
                r"all the time|always|every \w+)\b[^?]{0,10}, or (did|was|were|is|does|do)\b"
                r"|\b(how|why|what|where|when) (did|could|would|do|does|can) {S} ever\b|\b(have|did|were|had|"
                r"do) you ever\b|\bor (was|is|were) it (always|mostly|mainly|usually)\b|\b(we|i) (always|"
                r"never) "
                r"(ask|say|like|end|start|check|finish)\b|\bnever [\w ]{0,20}before\b|\b(everyone|"
                r"everybody) (i|we) (have |had )?(spoken|talked|asked|heard|contacted|"
                r"interviewed)|\b(everyone|all|every \w+|everybody)\b[^?]{0,40}\bor (mainly|mostly|just|only|"
                r"largely|chiefly)\b|\bif ever\b|\bif at all\b|\bas ever\b|\bever since\b|\bhardly ever\b|"
                r"\b(was|were|is|are) "
                r"{S} ever (responsible|in charge|asked|given|the)\b|\b(what|how|which|who|when|where)\b[^?]*"
                r"\b(always|never|ever|everyone|everybody)\b[^?]*\b(did|do|does|was|were)\b.{0,4}$"),
    Rule(r"^{AUX} (\w+ ){0,5}(every|each|all|all of) (?!the time\b.{0,12}, or)(\w+ )?(\w+)\b|\b(all|every "
         r"one) of (her|his|their"
         r"|the candidate's)\b|\b(all|any) (her|his|their) (projects|deadlines|targets|work|tasks|"
         r"assignments|reports|clients|colleagues|mistakes|errors)\b",
         "asks whether something held every time, which few people can answer",
         unless=r"^{AUX} (\w+ ){0,5}any (\w+ )?(reason|concerns?|problems?|issues?|complaints?|evidence|"
                r"examples?|feedback|comments?|thing|things|other|more|further|one|training|support|"
                r"questions?|examples?|role|roles|changes?|gaps?|adjustments?|help|disciplinary|formal|"
                r"warnings?|time|difficulty|difficulties|incidents?|way|ways|areas?|skills?|"
                r"responsibilit\w*|team|teams|people|staff|budgets?|experience|mistakes?|errors?)\b|^{AUX} "
                r"(\w+ ){0,5}(every|each) (day|week|month|quarter|year|morning|evening|night|shift|monday|"
                r"tuesday|wednesday|thursday|friday|weekend|sprint|cycle)\b|\b(with|across|for|to|in|between|"
                r"among|at|from) (all|every|each) (of )?(the )?(\w+ )?(staff|teams?|departments?|regions?|"
                r"sites?|"
                r"offices?|stores?|branches|clients?|customers?|stakeholders|suppliers)\b|\ball (hands|in "
                r"one)\b"),
)


def absolute(text: str) -> list[Problem]:
    """Find wording that asks for an all-or-nothing answer."""
    asking = question_part(unquoted(text))
    for rule in ABSOLUTE:
        match = rule.search(asking)
        if match:
            evidence = match.group(0).strip(" ,?")
            return [Problem("absolute", f"The question {rule.explanation} (\u201c{evidence}\u201d).",
                            "Ask how often or in what situations, for example: \u201cHow often \u2026?\u201d "
                            "or \u201cDescribe a time when \u2026\u201d.", evidence)]
    return []


__all__ = ["ABSOLUTE", "DOUBLE", "LEADING", "absolute", "double_barrelled", "expand", "is_closed", "leading"]
