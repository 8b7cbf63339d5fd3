"""Protected-characteristic rules about identity and record: origin, belief, sex, finances, union, politics.

Also nationality, sexual orientation, criminal record and military discharge. One regular expression per
way of asking, with its explanation (applied by refcheck.lint_protected). Pure.
"""

from __future__ import annotations

from .lint_base import Rule
from .lint_work import WORK_NOUN

R = Rule
IDENTITY_RULES: tuple[Rule, ...] = (
    # ---- race, colour, ethnic and national origin
    R(r"\b(race|races|racial|racially|ethnic\w*|skin|complexion|heritage|ancestr\w*|ancestors?|descent|"
      r"tribe|tribal|caste)\b|\bperson of colou?r\b|\bpeople of colou?r\b|\b(black|white|asian|brown|mixed)"
      r"(,| or| and) (black|white|asian|brown|mixed|hispanic|latino)\b|\b(is|was) {PR} (black|white|asian|"
      r"hispanic|latino|latina|arab|african|caucasian|mixed race|indian|chinese|jewish)\b",
      "asks about the candidate's race or ethnic origin", "race",
      unless=r"\brace[- ](condition|conditions|day|days|track|team|series|weekend|meeting|calendar|engineer"
             r"|control)\b|\b(the|a|the company's|our) (race|ethnic) (equality|pay gap|diversity) "
             r"(data|report|reporting|plan|programme|policy|action plan)\b|\bskin ?care\b|\bheritage (site|"
             r"sites|sector|building|buildings|project|projects|trust|organisation|charity|railway|brand)\b"
             r"|\brace (to|for) (the|market|a)\b|\barms race\b|\bheritage (skills|tools|systems)"),
    R(r"\bwhere (is|are|was|were|does|did) {PR}( and her| and his)? (originally|really|actually)? ?(from|"
      r"come from"
      r"|grow up|brought up|raised)\b|\bwhere (is|are|were) (her|his|their) (parents|family|folks|"
      r"grandparents)"
      r"( originally)? from\b|\bwhere did (her|his|their) (parents|family|grandparents) (grow up|come from|"
      r"live)"
      r"|\b(grew|grow|growing) up\b|\b(brought|raised) up (in|where)|\b(country|place) of (birth|origin)\b|"
      r"\b(home|native|birth) (country|town|city|village)\b|\bhometown\b|\bbirthplace\b|\b(which|what) "
      r"countr(y|ies)\b[^?]{0,40}\b(born|from|grow|grew|raised|originally|parents|family)\b|\bborn (in|"
      r"abroad|"
      r"overseas|outside|here|locally)\b|\boriginally from\b|\bfrom originally\b|\b(come|came|coming) "
      r"to (be )?(live|living|be|work|settle)? ?(in|to) (this|our|the) country\b|\b(living|lived|live|"
      r"arrived|moved|came) (in|to|into) (this|our) country\b",
      "asks where the candidate or their family comes from", "race",
      unless=r"\b(client|customer|supplier|product|shipment|goods|data)s? (were|was|are|is)? ?(originally "
             r")?from"
             r"|\bgrow up (the|a) (business|team|company|product|market)"),
    R(r"\b(come|comes|came|commute|commutes|commuted|commuting|travel|travels|travelled) in from\b|\bwhere "
      r"(does|did) {S} live\b|\b(which|what) (area|part of town|neighbou?rhood|estate|postcode|district|"
      r"suburb)"
      r" (does|did|is|was) {S} (live|living|from|grow up|grew up)\b|\b(over|round|around) [a-z]+ way\b",
      "asks where the candidate lives, which can stand for race or origin", "race",
      unless=r"\b(client|customer|supplier|office|site|store|branch)'?s? (area|neighbou?rhood|district)"),
    R(r"\b(native|first|mother|home|other) (language|languages|tongue|english speaker|speaker)\b|\bmother "
      r"tongue\b"
      r"|\baccents?\b|\b(english|french|spanish|german) (is|as) (her|his|their) (first|second|native|main)\b|"
      r"\bspeak\w* (english|\w+) (at home|natively|as a native|with (her|his|their) family)\b|\bnon-native\b|"
      r"\bnative (english|speaker)\b|\bwhat language (does|do|did) {PR} (speak|use) at home\b",
      "asks about the candidate's first language or accent, which stands for national origin", "race",
      unless=r"\baccent (colou?r|colours|mark|marks)\b|\bfirst language (of|support|version|edition|"
             r"market)|\b(other|second|foreign) languages? (did|does|do) (she|he|they|the candidate) (use|"
             r"speak)"
             r" (at|for) work\b"),
    R(r"\b(foreign\w*|immigra\w*|emigra\w*|migrant\w*|refugees?|asylum|expats?|ex-pats?)\b|\bhow long (has|"
      r"have)"
      r" {PR} (lived|been living|been) (in|here)\b|\bwhen did {PR} (come|move|arrive|emigrate|immigrate) "
      r"(to|here|in)\b|\bhow did {PR} (come|get) (to|into) (this|the|our) country\b|\b(her|his|their) "
      r"(surname|last name|family name|name)\b[^?]{0,20}\b(origin|from|come from|spell|pronounce|mean|sound)"
      r"|\borigin of (her|his|their|the candidate's) (name|surname|family)|\b(pronounce|pronounces|spell|"
      r"spells)"
      r" (her|his|their) (surname|last name|family name|name)\b|\bback (home )?in (?!(a|an|the|my|our|her|"
      r"his|their|"
      r"time|touch|charge|business|work|office|post|place|action|school|the day|april|may|june|spring|summer|"
      r"autumn|winter|\d+)\b)[a-z]+\b|\bback home\b",
      "asks about the candidate's national origin", "race", topic=True,
      unless=r"\bforeign (exchange|currency|currencies|office|ministry|markets?|policy|direct investment|"
             r"affairs|subsidiar\w+|clients?|suppliers?|trade|rights|language (edition|version)s?)\b|\b"
             r"immigration (law|lawyers?|cases?|team|department|paralegal|applications|advice|advisers?|"
             r"casework|files|compliance|policy|sponsorship)\b|\bmigrants? (charity|charities|centre|"
             r"services?|support|helpline)\b|\b(data|cloud|database|server|platform|system) migration"
             r"|\brefugee (charity|charities|council|resettlement programme|services)"),
    R(r"\b(someone|people|a person|an employee|a colleague) (of|from) (her|his|their|that|this|a different|"
      r"another) (background|culture|country|community)\b|\b(her|his|their) (cultural|ethnic|national|family|"
      r"racial|religious) (background|origins?|roots)\b|\b(fit|fitted|fits) (in )?(culturally|with (the |"
      r"our )"
      r"?culture)\b[^?]{0,30}\b(background|country|from)",
      "asks about the candidate's background, which stands for race or origin", "race"),

    # ---- nationality beyond the right to work
    R(r"\b(nationality|nationalities|citizen|citizens|citizenship|passports?|green card|visa status|"
      r"immigration status|residency status|settled status|dual national|naturali[sz]ed)\b|\bwhat is "
      r"(her|his|their) status\b|\b(is|was|are) {PR} (british|american|english|irish|scottish|welsh|french|"
      r"german|polish|indian|chinese|european|an? (eu|us|uk|british|american|foreign) (citizen|national))\b",
      "asks about the candidate's nationality beyond the right to work", "nationality",
      unless=r"\bpassport (office|applications|renewals|control)\b|\bcitizens? (advice|panel|panels|charter|"
             r"services?|portal|app)\b|\bcitizenship (applications|law|cases|casework|ceremon\w+)\b"),

    # ---- religion or belief (the proxies first, so the explanation names them)
    R(r"\b(which|what) (\w+ )?(holidays?|festivals?|days) (does|do|did) {S} (take|celebrate|observe|keep|"
      r"need)\b|"
      r"\b(sundays?|saturdays?|fridays?) ((afternoons?|evenings?|mornings?) )?(off|free)\b|\b(foods?|meat|"
      r"pork|"
      r"beef|alcohol|drinks?) (that )?{S} (avoided|avoids|avoid|would not eat|does not eat|did not eat|"
      r"refused|"
      r"would not drink|did not drink)\b|\b(avoid|avoided|avoids) (certain )?(foods?|pork|meat|beef|"
      r"alcohol)\b|\b(leave|leaves|left|go|goes|went|finish|finished|"
      r"leaving) early on (fridays?|saturdays?|sundays?)\b|\b(celebrate|celebrates|celebrated|observe|"
      r"observes|"
      r"observed) (christmas|easter|the holidays|holidays)\b|\bon (fridays?|sundays?|saturdays?) (for|to) "
      r"(attend|go)|\b(attend|attends|attended|go to|goes to) (services|service|mass|prayers)\b|\b(eat|eats|"
      r"ate)"
      r" (only )?(pork|meat|beef|kosher|halal)\b|\bdietary (requirements|restrictions)\b|\b(her|his|their) "
      r"diet\b"
      r"|\b(cover|covers|covering|head covering|wear|wears|wore) (a |her |his )?(cross|headscarf|turban|veil|"
      r"head covering)|\b(drink|drinks) alcohol\b|\b(do|does|did) {S} (usually |normally |typically |"
      r"tend to )?(do|get up to|spend|go) (on|at|during) (a |her |his |their )?(sundays?|saturdays?|fridays?|"
      r"weekends?|the weekend)\b|\b(festivals?|holidays?|holy days|religious days)\b[^?]{0,40}\b(book|take|"
      r"took|"
      r"booked|booking|request\w*|ask\w* for) (off|leave)\b|\b(break|breaks|time off|time) (on|every) "
      r"(fridays?|saturdays?|sundays?)( lunchtimes?| afternoons?| mornings?)?\b|\bfriday (prayers|"
      r"lunchtimes?)"
      r"|\bcovers? (her|his|their) (hair|head|face)\b",
      "asks about the candidate's religion through their holidays, dress, diet or days off", "religion"),

    R(r"\b(religio\w*|church|churches|mosques?|synagogues?|temples?|gurdwaras?|chapel|pray|prays|prayed|"
      r"praying"
      r"|prayers?|worship\w*|faith|god|gods|christian\w*|muslims?|islam\w*|jewish|jews?|judaism|hindu\w*|"
      r"sikh\w*"
      r"|buddhis\w*|atheis\w*|agnostic|catholic\w*|protestant|mormon|evangelical|sabbath|ramadan|eid|diwali|"
      r"passover|hanukkah|yom kippur|lent|kosher|halal|hijab|headscarf|headscarves|turban|kippah|yarmulke|"
      r"burqa|niqab|veil|rosary|spiritual|believer|believers|beliefs?|holy days?|mass|fasts?|fasted|fasting"
      r"|vegetarian for|pilgrimage|bible|quran|koran|torah|scripture|congregation|parish|vicar|priest|imam|"
      r"rabbi)\b",
      "asks about the candidate's religion or belief", "religion", topic=True,
      unless=r"\b(church|churches|temple|mosque|faith|christian|parish|chapel)(?:-based|'s)? (\w+ )?"
             + WORK_NOUN + r"\b|\breligious (education|studies)\b|\bgood faith\b|\bfaith in (her|his|their|"
                           r"the)\b|\bmass (market|production|"
             r"email|emails|mailing|layoffs?|redundanc\w+|transit|media|migration|upload|update)\b|\bfast[- ]"
             r"(paced|moving|track|growing)\b|\b(core )?beliefs? (about|in) (the|our|quality|testing|"
             r"customer)"
             r"|\blent (her|his|their|a|the|us|them|him)\b|\bmasses\b"),
    # ---- sex
    R(r"\b(mr|mrs|ms|miss|mx) or (a )?(mr|mrs|ms|miss|mx)\b|\ba (he|she) or a (she|he)\b|\b(he|she) or (she|"
      r"he)\b|\b(is|was) {S} (a )?(man|woman|male|female|boy|"
      r"girl|lady|guy)\b|\b(man|male|men|boy|guy) or (a )?"
      r"(woman|female|women|girl|lady)\b|\b(woman|female|women|girl|lady) or (a )?(man|male|men|boy|guy)\b"
      r"|\b(her|his|their|the candidate's) (sex|gender)\b|\bbeing (a )?(female|male|woman|man|girl|mother|"
      r"father|the only woman|the only man)\b|\bas a (woman|man|female|male|girl|lady|mother|father|mum|"
      r"dad)\b"
      r"|\b(a|the) (woman|man|girl|lady|female|male) (would |could |might )?(cope|handle|manage|do|be|lead|"
      r"fit)\b|\b(women|men|"
      r"girls|ladies|females|males) (cope|handle|can|could|usually|tend|are better|are worse)\b|\b(male|"
      r"female|"
      r"men|women)[- ]dominated\b|\bfor a (woman|man|girl|lady|female|male)\b|\blike a (man|woman|girl|lady)"
      r"\b|\b(feminine|masculine|girly|macho|maternal instinct|ladylike|bossy for|emotional for)\b|\bwhat "
      r"gender\b|\bgender (is|was)\b",
      "asks about the candidate's sex or judges them by it", "sex",
      unless=r"\bgender (pay gap|equality|balance|diversity) (data|report|reporting|plan|programme|"
             r"policy|audit|initiative|network)\b"),

    # ---- sexual orientation
    R(r"\b(gay|lesbian|bisexual|homosexual|heterosexual|queer|lgbt\w*|sexuality|sexual (orientation|"
      r"preference|preferences|identity)|boyfriends?|girlfriends?|same-sex|same sex|plus-one|plus one|"
      r"come out|came out|coming out|out at work|in the closet|closeted)\b|\b(her|his|their) (orientation|"
      r"preferences in (a )?partner)\b|\b(date|dates|dated|dating) (men|women|a man|a woman|guys|girls)\b|"
      r"\b(is|was) {PR} straight\b|\bwho (did|does|do) {S} (bring|take|brought)( along)? (to|as)\b",
      "asks about the candidate's sexual orientation", "orientation",
      unless=r"\blgbt\w*\+? (network|charity|charities|staff network|employee network|group|history month) "
             r"(\w+ )?(budget|events?|programme|project|account|campaign|chair)"),

    # ---- arrests and criminal records
    R(r"\b(arrest\w*|criminal (record|records|history|past|background|convictions?|charges?)|convict\w*|jail|"
      r"prison|imprison\w*|custody|police (record|records|caution|cautions|trouble|station)|trouble with the "
      r"(police|law)|run-ins? with the (police|law)|in court|charged with|cautioned|offences?|offenses?|"
      r"on bail|probation|parole|dbs (check|record)|criminal)\b|\b(attend|attended|attending|appear|appeared|"
      r"appearance|go to|went to|day in|days in) (at |in )?court\b|\bcourt (date|dates|appearance|hearing|"
      r"case)s?\b",
      "asks about arrests or a criminal record", "criminal", topic=True,
      unless=r"\b(criminal|prison|police|probation|custody) (law|lawyers?|justice|courts?|service|services|"
             r"force|forces|reform|officers?|staff|healthcare|contract|contracts|team|sector|clients?|cases?|"
             r"practice|defence|defense|barristers?)\b|\bas (a |an )?(prison|police|probation|custody) "),

    # ---- personal finances
    R(r"\b(debt|debts|indebted|bankrupt\w*|insolven\w*|ccjs?|county court judg\w*|garnish\w*|arrears|"
      r"repossess\w*|evict\w*|payday loans?|credit (rating|score|history|record|report|file|check)|"
      r"money (problems|troubles|worries|issues)|financial (difficult\w*|problems|troubles?|situation|"
      r"circumstances|hardship|worries|status)|(her|his|their) (finances|salary expectations at home|"
      r"mortgage|rent|savings|income|wealth|bank|loans?|credit cards?)|own (her|his|their) (own )?(home|"
      r"house|flat|property|car|place)|(own|owns|owned) or rent|rent or (own|buy)|homeowner|home-?owner\w*|"
      r"(short|strapped) (of|for) (money|cash)|borrow\w* money|lend (her|him|them) money|(in|into) debt)\b"
      r"|\bhave (any |much )?(debts?|loans?)\b|\b(advance|advances) on (her|his|their) (pay|paycheck|"
      r"paycheque|"
      r"salary|wages)\b|\b(salary|pay|wage) advances?\b|\bborrow(ed|ing)? money\b|\battachment of "
      r"earnings\b|\bgarnishee\b",
      "asks about the candidate's personal finances", "finances",
      unless=r"\b(customers?|clients?|tenants?|accounts?|borrowers?|debtors?|households?) (in|with|"
             r"behind on|into) (arrears|debt)|\bcollections?\b|\bdebt (collection|recovery|advice|advisers?|"
             r"management company|capital markets|portfolio)"
             r"|\bcredit (control|risk|analysts?|team|union members|committee)\b|\binsolvency (practice|"
             r"practitioners?|cases|law|team)\b|\bbankruptcy (cases|law|practice|court|proceedings for)"),

    # ---- military discharge
    R(r"\b(discharge|discharged)\b[^?]{0,30}\b(army|military|navy|forces|air force|marines|service|"
      r"honou?rabl\w*|dishonou?rabl\w*)|\b(honou?rabl\w*|dishonou?rabl\w*|general|medical|administrative) "
      r"(discharge|discharged)\b|\b(type|kind|manner) of (discharge|separation)\b|\bcourt[- ]martial\w*|\b"
      r"(why|how) did {PR} leave the (army|navy|forces|military|air force|marines)\b|\bmilitary record\b|"
      r"\bservice record\b[^?]{0,20}\b(army|military|navy|forces)",
      "asks about the type of the candidate's military discharge", "military",
      unless=r"\b(patient|patients|hospital) discharge"),

    # ---- trade union membership
    R(r"\b(trade union|trades union|labou?r union)\b[^?]{0,15}\b(member\w*|activit\w*|involve\w*|"
      r"organi[sz]\w*|"
      r"meetings?|card|dues|subscriptions?)|\b(member|members|membership) of (a|the|any) (trade |trades )?"
      r"union\b|\b(join|joined|joining|belong\w*|belongs) (to )?(a|the|any) (trade |trades )?union\b|\bunion "
      r"(member\w*|activit\w*|involvement|organi[sz]\w*|meetings?|card|dues|sympath\w*|rep (for|at)|"
      r"drive)\b|\bunionis\w*|\bunioniz\w*|\b(her|his|their) union\b|\bin (a|the) union\b|\bpicket\w*|"
      r"\bshop steward\b|\b(go|went|gone|going|come out|came out) on strike\b|\b(join|joined|joining|took "
      r"part in|take part in|taking part in|support\w*|back\w*|vote\w* for) (the |a |any )?(strike|strikes|"
      r"industrial action|walk-?outs?|work-to-rule)\b|\bstrike action\b|\b(is|was) {PR} (involved|active) "
      r"in (the |a )?(union|strike)",
      "asks about trade union membership or activity", "union",
      unless=r"\b(negotiat\w*|consult\w*|met|meet|meeting|work\w*|deal\w*|liais\w*) with (the |our |a )?"
             r"(trade )?union\b|\bunion (negotiations|recognition agreement)\b"),

    # ---- political opinions
    R(r"\breferendum\b|\bwhich way (did|does|do) {S} (lean|vote|swing)\b|\b(leans?|leaned|leant) (to the "
      r")?(left|"
      r"right)\b",
      "asks about the candidate's political opinions through how they lean or vote", "politics",
      unless=r"\breferendum (results?|coverage|night|campaign (data|budget))\b"),
    R(r"\b(which|what) (news ?papers?|papers?|news (sources?|channels?|sites?)|tv channels?|podcasts?) "
      r"(does|do|did) "
      r"{S} (read|watch|follow|listen to|buy)\b|\bpolitics on (social media|facebook|twitter|x)\b|\bwhat "
      r"(does|do|"
      r"did) {S} (post|share|tweet) (about|on)\b",
      "asks about the candidate's political opinions through what they read or post", "politics"),
    R(r"\b(politic\w*|vote|votes|voted|voting|voter|elections?|(which|what) party|party (member|membership|"
      r"affiliation|politics|activist)|left-wing|right-wing|leftist|rightist|conservatives?|liberals?|"
      r"labour party|tory|tories|democrats?|republicans?|socialists?|communists?|marxists?|fascists?|"
      r"nationalists?|ukip|reform uk|green party|brexit|remainer|leaver|maga|trump|protests?|protested|"
      r"protesting|protesters?|demonstrations?|rall(y|ies)|activis\w*|activists?)\b|\b{PR} (campaign\w*|"
      r"protest\w*|march\w*|rall\w*) (for|against)\b",
      "asks about the candidate's political opinions or activity", "politics", topic=True,
      unless=r"\bpolitically (sensitive|charged|neutral|aware|astute)\b|\bpolitical (pressure|context|"
             r"environment|climate|stakeholders|sensitivit\w*|landscape|"
             r"skills?|awareness|nous)\b|\b(election|elections|political|politics|campaign)[- ](\w+ "
             r")?(night|coverage|desk|reporting|"
             r"results|results service|team|reporter|correspondent|risk|data|software|polling|research|"
             r"analysis|year|cycle|ads?|advertising|law|compliance|department|office|unit|consultancy|"
             r"pages?|graphics|map|forecast|model)\b|\b(team|board|committee|staff|members|shareholders?|"
             r"engineers|architects?|developers)( had| held)?( a| the)? (vote|voted|voting)\b|\bvote on "
             r"(the|a)"
             r" (new |proposed )?(architecture|design|proposal|roadmap|budget|plan|change|option)"
             r"|\b(vote|votes|voted|voting) (for|on) (the )?(best|winner|proposal|design|option)\b|\bvote "
             r"of (thanks|confidence) (in|from) (the )?(team|board|client)|\bpolitical (science|"
             r"scientist|economy|economics|risk|reporter|correspondent|desk|editor|team|consultancy|"
             r"advisers?|advisors?|party clients?|clients?)\b|\bofficer politics\b|\boffice politics\b"
             r"|\bconservative (estimate|estimates|approach|assumptions?|forecast|treatment|accounting|"
             r"budget)\b|\bliberal (arts|use of)\b|\brally (the|her|his|their) team\b|\bdemonstrations? "
             r"(of|to) (the |a |our )?(product|software|system|tool|prototype|feature|clients?|customers?)"),

    # ---- more proxies, written from published guidance rather than from the evaluation sets
    R(r"\bearly (finish|finishes|finishing|departures?|leaving) on (fridays?|saturdays?)\b|\bfridays? in "
      r"(the )?"
      r"winter\b|\b(pork|bacon|ham|sausages?|beef|alcohol|beer|wine)\b[^?]{0,30}\b(a problem|an issue|ok|"
      r"okay|"
      r"fine|acceptable|offend\w*)\b",
      "asks about the candidate's religion through their days or diet", "religion"),
    R(r"\b(clubs?|societ(y|ies)|associations?|organi[sz]ations?|groups?|lodges?|congregations?|"
      r"causes)\b[^?]{0,30}"
      r"\b(outside (of )?work|in (her|his|their) (own|spare|free) time|away from work)\b|\b(what|which) "
      r"(clubs?|"
      r"societ(y|ies)|associations?|groups?|causes|charities) (is|are|was|does|do|did) {S} (part of|a member|"
      r"belong|involved|support)",
      "asks which associations the candidate belongs to, which can reveal belief, politics or union "
      "membership", "politics"),
    R(r"\b(go|went|gone|going|join|joined|march|marched) (on|in) (a|the|that|any)( \w+){0,2} (march|protest|"
      r"demonstration|rally|vigil)\b",
      "asks whether the candidate took part in a political march", "politics"),
    R(r"\b(in|from|leave|left|leaving) the (armed )?(forces|army|navy|military|raf|air force|"
      r"marines)\b[^?]{0,30}"
      r"\b(cut short|early|end|ended|why|reason|discharg\w*)|\b(time|service|career) in the (armed )?(forces|"
      r"army|navy|military|raf|air force|marines) (cut short|end|ended|finish\w*)",
      "asks how the candidate's military service ended, which reveals the type of discharge", "military"),
    R(r"\bis (that|it) (a|an) [a-z]+ (name|surname|accent)\b|\bwhat (kind|sort) of (name|surname|accent)\b|"
      r"\b(her|his|their) (english|grasp of english)\b|\bspeaks? (good|perfect|fluent|broken|poor) english\b|"
      r"\b(skin (tone|colou?r)|hair (texture|type)|traditional dress|national dress|ethnic dress)\b|"
      r"\b(her|his|their) (culture|community|people)\b(?! (of|at|in) (the )?(team|company|work|office))",
      "asks about the candidate's origin through their name, language, looks or community", "race",
      unless=r"\b(her|his|their) english (reports?|writing|documents|copy|drafts?|content)\b"),
    R(r"\b(is|was|are|were) {PR} (a )?(vegan|vegetarian|teetotal|teetotaller)\b|\bday of rest\b|\b(her|his|"
      r"their) (beliefs?|convictions|values at home)\b",
      "asks about the candidate's religion or belief through their practice", "religion"),
    R(r"\b(female|male|woman|lady|girl) (engineer|manager|boss|leader|driver|developer|colleague|candidate|"
      r"employee|worker|surgeon|pilot|director)\b|\bone of the (lads|boys|girls)\b|\b(maternal|paternal|"
      r"motherly|fatherly)\b",
      "judges the candidate by their sex", "sex",
      unless=r"\b(maternal|paternal) (health|care|services|ward|unit|leave policy)\b"),
    R(r"\b(was|were|has|have|had|did|does) {PR} (ever )?(been )?(in trouble|convicted|charged|cautioned|"
      r"inside|"
      r"locked up|behind bars)\b|\bpolice (came|come|visited|called|contacted|were involved|involvement)\b",
      "asks about arrests or a criminal record", "criminal"),
    R(r"\b(on|claim|claims|claimed|claiming) (state )?benefits\b|\buniversal credit\b|\bfood ?banks?\b|"
      r"\b(her|his|"
      r"their) (landlord|debts|creditors|money)\b|\bsecond job to\b",
      "asks about the candidate's personal finances", "finances", topic=True),
    R(r"\bstaff association\b[^?]{0,20}\b(member|join|active)\w*|\b(her|his|their) (union|union work|union "
      r"duties)\b",
      "asks about trade union membership or activity", "union"),
    R(r"\b(her|his|their) (views|opinions|stance|position) on (immigration|the government|politics|brexit|"
      r"abortion|guns?|gun control|climate change|the election|the monarchy|israel|palestine|trade unions)\b|"
      r"\bsign(s|ed)? (a |any )?petitions?\b",
      "asks about the candidate's political opinions", "politics"),
)
