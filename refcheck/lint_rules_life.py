"""Protected-characteristic rules about the person's life: age, health, body, gender, marriage, family.

One regular expression per way of asking, with its explanation (applied by refcheck.lint_protected).
A rule marked as a topic catches a word that is usually about the person but can be the job. Pure.
"""

from __future__ import annotations

from .lint_base import Rule
from .lint_work import WORK_NOUN, work_sense

R = Rule
LIFE_RULES: tuple[Rule, ...] = (
    # ---- age
    R(r"\bhow old\b", "asks the candidate's age directly", "age"),
    R(r"\b(date|year|place) of birth\b|\bbirth ?(date|day|year)\b|\bdob\b|\bbirthday\b",
      "asks the candidate's age through their date of birth", "age"),
    R(r"\b(when|what year|which year|what decade) (was|were) {S} born\b|\bborn (in|around|before|after) "
      r"(the )?(19|20)\d\d|\bborn in the (\d0s|sixties|seventies|eighties|nineties)",
      "asks when the candidate was born, which gives their age", "age"),
    R(r"\bwhat age\b|\b(her|his|their|candidate's) age\b|\bage (is|was) (she|he|they)\b|\bput (her|him|"
      r"them) at\b"
      r"|\bhow young\b|\bhow mature (is|was|are|were) {PR}\b|\bage group\b|\bage bracket\b|\bage range\b",
      "asks the candidate's age", "age", unless=r"\bretirement age\b"),
    R(r"\b(is|was|are|were) {S} (over|under|past|nearly|almost|about|around|younger than|older than) "
      r"(the age of )?(\d\d|thirty|forty|fifty|sixty|seventy)\b",
      "asks whether the candidate is above or below an age", "age"),
    R(r"\bin (her|his|their) (early |mid |mid-|late )?(teens|twenties|thirties|forties|fifties|sixties|"
      r"seventies"
      r"|\d0s)\b", "asks the candidate's age bracket", "age"),
    R(r"\bgap year\b|\bat (her|his|their) age\b|\b(what|which) year\b[^?]{0,50}\b(graduat\w*|finish\w*|"
      r"leave|left|"
      r"complete\w*|qualif\w*|"
      r"matriculat\w*|"
      r"school|college|university|degree|a-levels?|gcses?|diploma|studies|studying)",
      "asks the candidate's age through the year they finished their education", "age",
      unless=r"\b(start|started|join|joined) (with|at) (you|your|the)\b"),
    R(r"\bwhen did {S} (graduate|finish (school|college|university|high school|secondary|(her|his|their) "
      r"(degree|studies|education))|leave (school|college|university|high school)|get (her|his|their) degree)"
      r"|\bclass of (19|20)\d\d\b|\bgraduation (year|date)\b"
      r"|\bhow long ago did {S} (graduate|qualify|finish)",
      "asks the candidate's age through when they finished their education", "age"),
    R(r"\bretir(e|es|ed|ing|ement)\b|\b(draw|drawing|drew|take|taking|claim|claiming|collect|collecting) "
      r"(her|his|their|a|the state) pension\b|\bpension(able)? age\b", "asks about the candidate's "
          "retirement, which points to their age",
      "age", topic=True),
    R(r"\b(years|long) (does|do|did|has|have) {S} (have |got )?(left|to go)\b|\b(how long|how many "
      r"years)\b[^?]{0,30}"
      r"\b(until|before|till) {PR} (stops? working|retires?|leaves? the workforce)",
      "asks how long the candidate will go on working, which points to their age", "age"),
    R(r"\b(young|younger|youthful|old|older|elderly|aging|ageing|middle-aged|mature|senior)(?:est)? "
      r"(team|employee|employees|staff|people|person|persons|colleague|colleagues|worker|workers|hire|hires|"
      r"man|"
      r"woman|men|women|crowd|blood|face|faces|candidate|candidates|professional|professionals|generation|"
      r"workforce|member|members|guy|guys|lady|ladies|one|ones|recruit|recruits|graduate|graduates|"
      r"citizens?)\b",
      "compares the candidate with younger or older people, which asks about their age", "age",
      unless=r"\b(mentor\w*|coach\w*|train\w*|manag\w*|supervis\w*|support\w*|hired|hiring|recruit\w*)"
             r" (the |our |a |her |his |their )?(younger|junior|senior|new|older)\b|\bsenior (stakeholders?|"
             r"management|leaders?|leadership|executives?|colleagues|staff|people|team|engineers?|members?)\b"),
    R(r"\b(too|quite|rather|a bit|fairly|very|so|being|seems?|looks?|feel|felt) (young|old|older|younger|"
      r"elderly|aged)\b|\b(older|younger) than\b|\b(her|his|their) (older|younger) (colleagues|peers|team)",
      "judges the candidate by how old they are", "age",
      unless=r"\b(system|code|software|equipment|machine|version|process|tool)s? (is|was|were|are|being) "
             r"(too |quite |very |so )?old\b"),
    R(r"\b(same|different|older|younger|her|his|their|which|what|other) generations?\b|\bgenerations? (as|"
      r"gap)\b"
      r"|\bdigital natives?\b|\bmillennials?\b|\b(baby )?boomers?\b|\bgen ?[xyz]\b|\bzoomers?\b|"
      r"\bgeneration ?[xyz]\b"
      r"|\benergy of (a|the|our) (young|younger)\b|\b(energy|energetic|fresh)\b[^?]{0,30}\b(young|younger|"
      r"youth)",
      "asks about the candidate's generation, which stands for their age", "age",
      unless=r"\bgenerational change\b"),
    R(r"\bkeep up with (the )?(young|younger|new technolog)|\bset in (her|his|their) ways\b|\bover the hill\b"
      r"|\bwinding down\b|\bnew to the workforce\b|\bhow many years (of work|has (she|he|they) worked) (in "
      r"total|"
      r"altogether)\b|\bstill (got|have|has) the energy\b",
      "asks about the candidate's age through a stereotype of it", "age"),

    # ---- health and disability
    R(r"\b(disab\w*|handicap\w*|impairments?|impaired|special needs|neurodiverg\w*|neurodivers\w*)\b",
      "asks whether the candidate has a disability", "health", topic=True,
      unless=r"\b(disabled|disability)[- ](access|parking|toilets?|facilities|benefits?|claims?|services?|"
             r"insurance|charity|charities|law|act|regulations|rights (law|organisation)|access requirements)"
             r"|\bimpairment (test|testing|review|charge)s?\b|\bimpaired (assets?|loans?)\b"),
    R(r"\bdiagnos(is|es|ed)\b|\b(medical|health|mental health|physical|chronic|pre-existing|long-term|"
      r"hereditary"
      r"|underlying) (conditions?|problems?|issues?|history|reasons?|grounds|needs?|limitations?)\b"
      r"|\b(any|a) (medical|health) (conditions?|problems?|issues?)\b",
      "asks about a medical condition", "health", topic=True,
      unless=r"\bdiagnos\w* (the|a|an) (fault|problem|issue|bug|error|failure|outage)"),
    R(r"\b(medications?|medicines?|prescriptions?|pills?|tablets|antidepressants?)\b",
      "asks whether the candidate takes medication", "health", topic=True, unless=work_sense("medic")),
    R(r"\b(in (good|poor|bad|excellent|fine) health|her health|his health|their health|candidate's health|"
      r"health (problems?|issues?|concerns?|scares?|reasons?|grounds|condition)|healthy enough|state of "
      r"health|"
      r"mental health|physical health|well enough|unwell|poorly)\b",
      "asks about the candidate's health", "health",
      unless=r"\bmental health (first aid|first-aider|champion|programme|strategy|service|services|"
             r"charity|app|platform|policy|training) "),
    R(r"\b(sick|sickness|illness|illnesses|ill)\b", "asks about the candidate's health through sickness",
      "health", topic=True,
      unless=r"\bill[- ](judged|advised|prepared|timed|fated|informed|considered)\b|\bsick[- ]pay (policy|"
             r"scheme|rules)|\bsick[- ]leave (policy|polic)|\b(sickness|sick) absence (policy|procedure|"
             r"process"
             r"|data) "),
    R(r"\b(absen\w+|days? off|time off|off work|leave|missed work|appointments?)\b[^?]{0,40}\b(medical|"
      r"health|"
      r"doctors?|hospitals?|gps?|dentists?|clinics?|surgery|therapy|operations?|injur\w*|treatment|"
      r"recover\w*)"
      r"|\b(medical|health|doctor's|doctors|hospital|gp|clinic|therapy|counselling|counseling) "
      r"(appointments?|visits?|leave|absences?|stays?|treatment)\b",
      "asks about the candidate's health through their absences", "health"),
    R(r"\b(long|extended|lengthy|prolonged|several months'?|\w+-month|long-term) (stretch|period|spell|block|"
      r"bout)? ?(of )?(leave|absence|time off|sick leave)\b|\b(why|reason|reasons) (she|he|they) (was|were) "
      r"(off|away|absent)\b|\bwhy (she|he|they) took (leave|time off)\b",
      "asks about a long absence, whose reason may be health, pregnancy or caring", "health"),
    R(r"\b(therapy|therapist|counsell?(ing|or)|psychiatr\w*|psycholog\w* (help|treatment|support)|rehab|"
      r"rehabilitation|surgery|operation on|hospitali[sz]ed|in hospital|treatment for|treated for|cancer|"
      r"diabet\w*|epilep\w*|hiv|heart (attack|condition|disease)|stroke|asthma|migraines?|seizures?|"
      r"depress\w*|anxiety|burn-?out|breakdown|bipolar|ocd|ptsd|adhd|autis\w*|dyslexi\w*|dyspraxi\w*|"
      r"stress leave|stress-related|panic attacks?|eating disorder|recovering)\b",
      "asks about a medical condition or its treatment", "health", topic=True,
      unless=r"\b(surgery|cancer|diabetes|stroke|epilepsy|hiv|asthma|rehabilitation|therapy|oncology|cardiac)"
             r"[- ](\w+ )?(ward|unit|centre|center|clinic|service|services|charity|research|trials?|team|"
             r"department|drug|drugs|patients|programme|pathway|app|product|devices?|hospital)"
             r"|\bburn-?out (rate|risk|among)|\bbreakdown (of|by)\b|\bcost breakdown\b|\bstroke of\b"),
    R(r"\bphysically (fit|able|capable|strong|up to)|\bphysical (fitness|condition|limitations?|state|"
      r"strength|abilities|ability)\b|\bable-bodied\b|\bfit enough\b|\bstamina\b|\bin shape\b"
      r"|\bkeeps? (himself|herself|themselves|themself) (fit|healthy|in shape)\b|\b(go|goes|went|going) to "
      r"the "
      r"gym\b|\bfitness (level|levels)\b|\bhow fit (is|was|are|were)\b",
      "asks about the candidate's physical health or fitness", "health"),
    R(r"\b(reasonable |workplace |any )?adjustments? (to|for|at|in) (her|his|their|the) "
      r"(workstation|desk|hours|role|job|work|chair|equipment)|\breasonable adjustments?\b|\baccommodations? "
      r"(for|at) work\b|\bspecial (equipment|chair|keyboard|arrangements)\b|\baccess needs\b",
      "asks about disability through workplace adjustments", "health", topic=True),
    R(r"\b(trouble|difficulty|problems?|struggle|struggled) (hearing|seeing|walking|standing|reading small|"
      r"with (her|his|their) (hearing|sight|eyesight|eyes|back|legs|mobility|memory))|\bhearing (aid|loss|"
      r"impair\w*)|\b(eyesight|mobility|wheelchair|walking stick|crutches|deaf|sign language|lip-?read\w*)\b"
      r"|\b(is|was) {S} blind\b|\bpartially sighted\b|\bguide dog\b|\bstammer|\bstutter",
      "asks about a disability through the senses or mobility", "health", topic=True),
    R(r"\bhow much (does|did|do) {S} drink\b|\b(drink|drinking|alcohol|drugs?|substance|sober|sobriety|"
      r"addict\w*|hangovers?|hungover|recreational)\b",
      "asks about alcohol or drug use, which can reveal a health condition", "health", topic=True,
      unless=r"\b(drug|drugs) (discovery|development|safety|trial|trials|pricing|approval|approvals|"
             r"regulation|pipeline|compan\w+|formular\w+)|\b(alcohol|drinks?) (brand|brands|company|"
             r"companies|"
             r"distributor|industry|licen[cs]\w*|sales|retail|marketing)|\bpharmac\w*|\bdrinks? (reception|"
             r"order)"),
    R(r"\binjur(y|ies|ed)\b|\baccidents?\b (at|outside) work\b|\bwork-related injur",
      "asks about an injury, which can reveal a disability", "health", topic=True,
      unless=r"\binjur\w* (claims?|law|lawyers?|cases?|rates?|reporting|statistics|prevention)"),
    R(r"\bsleep (problems?|issues?|disorder)|\btired all the time\b|\b(her|his|their) (energy levels|weight "
      r"loss)",
      "asks about the candidate's health", "health"),

    # ---- genetic information and family medical history
    R(r"\b(genetic|genes?|hereditary|inherited (conditions?|diseases?|illness\w*|disorders?|traits?)|runs? "
      r"in (the|her|his|their) family|family (medical|health) "
      r"history|family history of)\b|\bhistory of [\w ]{0,30}\bin (her|his|their|the) family\b|\b(her|his|"
      r"their)"
      r" (parents?|mother|father|mum|mom|dad|siblings?|brothers?|sisters?|relatives?|family)(?:'s)? (health|"
      r"illness|illnesses|conditions?|medical)|\b(anyone|someone|relatives?) in (her|his|their) family "
      r"(have|has|had|with|suffer)|\b(her|his|their) (mother|father|parents?) (die|died|suffer|suffered)",
      "asks about genetic information or family medical history", "genetic", topic=True,
      unless=r"\bgenetic (testing|sequencing|research|data) (lab|laboratory|company|startup|platform|"
             r"pipeline|team|service)|\b(genes?|genetic) (research|researcher|lab)\b"),

    # ---- height and weight
    R(r"\bweigh(s|ed)?\b|\b(her|his|their|candidate's) (weight|size|build|figure)\b|\b(overweight|underweight"
      r"|obese|obesity|heavy-set|heavyset|chubby|skinny|plus-size)\b|\bhow (heavy|big|large|fat|thin|slim)"
      r" (is|was|are) {PR}\b|\b(is|was) {PR} (fat|thin|slim|heavy|big)\b|\bweight (affect|problem|issue|"
      r"loss|gain)",
      "asks about the candidate's weight", "body",
      unless=r"\bweigh(ed|s)? (up|the|in on|options|the pros|risks?|costs?|evidence)"),
    R(r"\bon the (heavy|large|big|plump|skinny|thin|short|tall|small) side\b",
      "asks about the candidate's weight or height", "body"),
    R(r"\b(what|which) size (uniform|clothes|clothing|shirt|trousers|dress|overalls|boots)\b|\b(clothes|"
      r"clothing|uniform|dress) size\b",
      "asks about the candidate's size, which stands for height and weight", "body"),
    R(r"\b(tall|short|height|petite|small)\b (enough|for)\b|\bhow tall\b|\b(her|his|their) height\b|"
      r"\b(is|was) {PR} (tall|short|petite)\b",
      "asks about the candidate's height", "body",
      unless=r"\bshort (notice|term|list|of|deadline|time|fuse)"),
    R(r"\b(her|his|their|the candidate's) (appearance|looks|attractiveness)\b|\b(attractive|good-looking|"
      r"pretty|handsome|presentable)\b", "judges the candidate's appearance, which can stand for sex, race "
                                         "or age",
      "body"),

    # ---- gender reassignment
    R(r"\btrans(gender|sexual)?\b(?! ?(action|fer|late|port|it|form))|\btransition\w* (gender|sex)\b|"
      r"\b(gender|"
      r"sex) (transition|reassignment|change|identity|history)|\bhas {PR} transitioned\b|\bborn (a )?(male|"
      r"female|boy|girl|a man|a woman)\b|\b(assigned|registered) (male|female) at birth\b|\bsex at birth\b"
      r"|\bdeadname|\bbirth name\b|\bpronouns?\b|\bnon-?binary\b|\bidentif(y|ies|ied) as (a )?(man|woman|"
      r"male|female)\b",
      "asks about gender reassignment or gender identity", "gender_reassignment", topic=True,
      unless=r"\bpronouns? (in|for) (the )?(ui|interface|product|app|copy|translation)"),
    R(r"\b(different|another|other|previous|former|earlier|old) (first |given )?(gender|sex|name|names|"
      r"surname|"
      r"surnames|last name)\b|\b(change|changed|changing) (her|his|their) (name|surname|first name)\b"
      r"|\bname change\b|\b(did|has|have|had) {S} transition(ed)?\b(?! (to|from|into|out|the|a|an|her|his|"
      r"their)\b)|\bknown (as|by) (a )?(another|different)|\b(use|used|go by|went by) (a|another|a "
      r"different) name\b",
      "asks about names used before, which can reveal gender reassignment or marriage", "gender_reassignment",
      unless=r"\b(product|brand|company|team|project|file|domain|server|user|account)('s)? (name|names)\b"),

    # ---- marriage and civil partnership
    R(r"\b(married|marry|marrying|marriage|marital|spouse|spouses|husband|husbands|wife|wives|divorc\w*|"
      r"widow\w*|fianc\w*|engaged to|civil partner\w*|maiden name|newlywed\w*|bride|groom)\b|\bmiss or mrs\b"
      r"|\bmrs or ms\b|\b(is|was) {PR} single\b|\bsingle (mother|father|parent|man|woman|mum|mom|dad)\b"
      r"|\bsettle down\b|\b(her|his|their) (partner|other half|significant other|ex)\b|\b(have|has|had|with) "
      r"a (partner|spouse)\b|\b(in|out of) a relationship\b|\bwho (does|do|did) {PR} live with\b|\blive(s|"
      r"d)? "
      r"alone\b",
      "asks about the candidate's marital or relationship status", "marriage", topic=True,
      unless=r"\bwedding\b[^?]{0,20}(venue|planner|business|industry|photograph|suppliers?|season)"
             r"|\bmarriage (registrar|licen[cs]e applications|guidance)"),

    # ---- pregnancy, maternity, family and caring
    R(r"\b(pregnan\w*|expecting (a |another )?(baby|child|twins)|maternity|paternity|parental leave|adoption"
      r" leave|shared parental|babies|baby|newborn|due date|morning sickness|ivf|fertility|miscarriage|"
      r"breastfeed\w*|nursing mother)\b|\b{PR} (is|was|are) expecting\b(?! (to|a (call|reply|response|"
      r"promotion|raise|rise|offer|delivery|decision)|an? (answer|offer|email)))|\btrying for a (baby|child|"
      r"family)\b|\bstart(ing)? a family\b|\b(plans?|"
      r"planning|intend\w*|want\w*|going) (to |on )?(have|having|start|starting) (a |any |more )?(children|"
      r"kids|"
      r"child|baby|babies|family)\b|\bhave (more )?(children|kids)\b[^?]{0,30}\b(plan|soon|future|next)",
      "asks about pregnancy, maternity or plans for children", "pregnancy", topic=True,
      unless=r"\bbaby (boomers?|steps)\b|\b(maternity|pregnancy|baby|fertility|ivf|parental leave) (\w+ )?"
             + WORK_NOUN + r"\b"),
    R(r"\b(children|child|kids|kid|sons?|daughters?|toddlers?|grandchildren|grandkids)\b",
      "asks about the candidate's children", "family", topic=True,
      unless=r"\b(child|children|kids)(?:'s)? (\w+ )?" + WORK_NOUN + r"\b|\bchild (process|processes|"
             r"element|elements|node|nodes|table|tables|class|classes|component|components|task|tasks|"
             r"record|records|ticket|tickets|theme|themes|safeguarding|protection|welfare)\b|\b(parents|"
             r"families|customers|clients|patients|pupils)\b[^?]{0,25}\b(children|child|kids|sons?|"
             r"daughters?)\b|\bchild (care|protection|safeguarding) (sector|setting|service|services|"
             r"team|centre|center)"),
    R(r"\b(childcare|child care|childminder|nann(y|ies)|nursery (fees|run|pick-?up)|day ?care|school run|"
      r"school pick-?ups?|pick(s|ed|ing)? up (the|her|his|their) (kids|children|son|daughter)|after-school)\b"
      r"|\blooks? after (her|his|their|the) (kids|children|child|son|daughter|parents?|mother|father|mum|dad|"
      r"relatives?)\b|\blooked after (her|his|their) |\bwho (looks|looked) after\b|\b(caring|care) "
      r"(responsibilit\w*|duties|commitments)\b|\b(is|was) {PR} a (carer|caregiver|parent|mother|father|mum|"
      r"dad)"
      r"\b|\b(family|domestic|home) (commitments|responsibilities|obligations|situation|life|plans|"
      r"circumstances|reasons|emergencies|duties|pressures|ties)\b|\b(her|his|their) famil(y|ies)\b",
      "asks about the candidate's family and caring responsibilities", "family", topic=True,
      unless=r"\bfamily (business|firm|company|office|law|court|practice|-owned|owned|run|foundation|"
             r"doctor|support worker|liaison)"),
    R(r"\b{P} (parents?|mother|father|mum|mom|dad|brothers?|sisters?|siblings?|relatives?|in-laws?)\b",
      "asks about the candidate's family", "family",
      unless=r"\bparent (company|organi[sz]ation|group|entity|firm|bank)|\b(residents|patients|customers|"
             r"clients|"
             r"pupils|students|tenants|families|users|members|guests|visitors|children) "
             r"(and|or|with) their\b"),

    # ---- more proxies, written from published guidance rather than from the evaluation sets
    R(r"\bo[- ]levels?\b|\bcses?\b(?! (team|programme|program|group))",
      "asks the candidate's age through which school exams they sat", "age"),
    R(r"\bwhen did {S} (sit|take|do|pass|finish) (her|his|their) (a-levels?|gcses?|o-levels?|exams|finals|"
      r"sats|leaving cert\w*|baccalaureate|high school diploma|matric)\b|\b(a-levels?|gcses?|o-levels?) (in|"
      r"year|date)\b",
      "asks the candidate's age through when they sat school exams", "age"),
    R(r"\b(near|nearing|towards|toward|late in|at the end of|end of) (the end of )?(her|his|their) (career|"
      r"working "
      r"life)\b|\bfresh out of (school|college|university|uni)\b|\bold[- ]fashioned\b|\bold[- ]school\b|"
      r"\bdinosaur\b|\byoung blood\b|\b(kids|children) (have )?(grown up|left home|flown the nest)\b|\bempty "
      r"nest\w*\b|\bhow long (has|had) {PR} been (working|in work|in the workforce) (in total|altogether|all "
      r"told)\b",
      "asks about the candidate's age through a stage of life", "age",
      unless=r"\bold[- ]school (methods?|approach|tools?|systems?|marketing)\b"),
    R(r"\bbradford (factor|score)\b|\bhearing loops?\b|\b(doctor'?s?|fit|sick|medical) notes?\b|"
      r"\boccupational health (referral|assessment|report|review)\b"
      r"|\b(emotionally|mentally) (stable|fragile|unstable|fit|strong|well)\b|\bmental (state|wellbeing|"
      r"well-being|resilience)\b|\b(off|signed off) (work )?(with|for) (stress|depression|anxiety|an illness|"
      r"illness|an injury|a bad back|surgery|an operation)\b|\bmedical (leave|history|records?|"
      r"appointments?)\b|\b(her|his|their) (energy|stamina|mobility|eyesight|hearing|memory)\b",
      "asks about the candidate's health or its record", "health", topic=True),
    R(r"\b(her|his|their) (wedding|honeymoon|engagement)\b|\b(get|getting|got) (married|engaged|hitched)\b|"
      r"\blives?"
      r" with (her|his|their|a) (boyfriend|girlfriend|partner|husband|wife|spouse|parents)\b",
      "asks about the candidate's marriage or partner", "marriage"),
    R(r"\b(the|a|her|his|their) (baby|bump|newborn|little one|new arrival)\b|\bbundle of joy\b|\b(became|"
      r"becoming|become) a (mum|mom|mother|dad|father|parent)\b|\bonce the baby\b|\bafter the baby\b|\b(go|"
      r"going|went) "
      r"part-time (after|once|when)\b[^?]{0,20}\b(baby|children|kids|born)",
      "asks about pregnancy or a new child", "pregnancy"),
    R(r"\b(her|his|their) (real|legal|original|birth|old) name\b|\balways been a (man|woman|boy|girl)\b",
      "asks about a change of name or gender", "gender_reassignment"),
)
