"""French rules for the question linter: protected characteristics and proxies, one rule per way of asking.

Patterns read folded text (lint_fold: lower case, no accents, plain apostrophes, so "l’âge" reads "l'age");
the wording rules (leading, double-barrelled, absolute) are in lint_fr_wording. A rule marked as a topic
catches a word that is usually about the person but can be the job, which a job frame ("En tant que
gestionnaire de paie, …") or other people just before it ("aux patients en situation de handicap")
clears. Pure: no Flask import.
"""

from __future__ import annotations

from .lint_base import Rule
from .lint_fr_wording import ABSOLUTE, DOUBLE, FIXED_PAIRS, FOLLOW_UP, LEADING, REQUEST
from .lint_intl import Language

R = Rule
# Things that have an age, an origin or a health of their own ("l'origine du problème").
_THINGS = (r"(parc|flotte|systemes?|applications?|equipes?|machines?|serveurs?|infrastructure|reseau|code|"
           r"plateformes?|batiments?|vehicules?|logiciels?|donnees|probleme|panne|erreur|incident|bug|"
           r"fichiers?|clients?|fournisseurs?|commandes?|entreprise|portefeuille|produits?|projet)")
# A partner of either sex: asking which one it is asks about sexual orientation.
_SHE = r"(compagne|femme|epouse|conjointe|copine|petite amie|amie)"
_HE = r"(compagnon|mari|epoux|conjoint|copain|petit ami|ami)"

PROTECTED: tuple[Rule, ...] = (
    # ---- age
    R(r"\bquel age\b|\bson age\b|\bquel est son age\b|\bage a-t-(il|elle)\b|\bl'age (de|du) (la |le )?"
      r"(candidat|candidate)\b",
      "asks the candidate's age directly", "age", topic=True),
    R(r"\bdate de naissance\b|\bannee de naissance\b|\b(quelle annee|quand) est-(il|elle) nee?\b|"
      r"\b(il|elle) est nee? en\b|\bnee? en (19|20)\d\d|\bson anniversaire\b",
      "asks the candidate's age through their date of birth", "age"),
    R(r"\b(a|avait)(-t)?-(il|elle) (plus|moins) de (\d\d|trente|quarante|cinquante|soixante) ans\b|\b(il|"
      r"elle) a (plus|moins) de (\d\d|trente|quarante|cinquante|soixante) ans\b|\b(la|sa) (trentaine|"
      r"quarantaine|cinquantaine|soixantaine)\b(?! (de|d'))",
      "asks whether the candidate is above or below an age", "age"),
    R(r"\b(trop|plus|moins|assez|bien|si|tres) (agee?s?|jeunes?|vieux|vieille)\b(?! (de|d') )|"
      r"\b(personnes?|collegues|equipe|salaries|profils?|collaborateurs) (agee?s?|plus jeunes|plus agee?s|"
      r"seniors?)\b|\bequipe de jeunes\b|\b(d'un|d'une) certain age\b",
      "judges the candidate by how old they are, or compares them with younger or older people", "age",
      topic=True),
    R(r"\b(pre)?retraite\b|\bpartir a la retraite\b|\bfin de carriere\b|\bretraite (anticipee|progressive)\b",
      "asks about the candidate's retirement, which points to their age", "age", topic=True,
      unless=r"\breformes? des retraites\b|\bretraite (de|d'|du|des) (son|sa|ses|leur|un|une|deux|trois|"
             r"plusieurs|l'|la|le|les)|\b(caisses?|regimes?|plans?|epargne|produits?|conseill\w*) (de |"
             r"d')?retraite\b"),
    R(r"\b(en )?quelle annee\b[^?]{0,40}\b(bac|baccalaureat|diplom\w*|etudes|licence|master|termin\w*|"
      r"fini\w*|sorti\w*)|\bquand a-t-(il|elle) (obtenu|eu|passe|fini|termine) (son|ses|sa) (bac|"
      r"baccalaureat|diplome|etudes|licence|master|doctorat)|\bil y a combien (d'annees|de temps) qu'(il|"
      r"elle) a (fini|termine|obtenu|quitte)|\bannee (de|d') (obtention|diplome|promotion|sortie)\b|"
      r"\bpromo(tion)? (19|20)\d\d",
      "asks the candidate's age through when they finished their education", "age"),
    # Grandchildren, or being a grandparent, say roughly how old someone is.
    R(r"\b(ses|des|de|leurs?|aux) petits?-(enfants?|fils|filles?)\b|\b(est|etait|devenue?|deja)(-il|-elle)? "
      r"grand-(mere|pere)\b",
      "asks about the candidate's grandchildren, which points to their age", "age", topic=True),
    R(r"\bgeneration\b|\bmillennials?\b|\bboomers?\b|\bdigital natives?\b",
      "asks about the candidate's generation, which stands for their age", "age",
      unless=r"\bgeneration (de|des) (leads|rapports|contenus?|code|revenus|valeur|demande|energie|"
             r"documents)|\b(nouvelle|prochaine|derniere|premiere) generation\b"),

    # ---- health and disability
    R(r"\ben situation de handicap\b|\bhandicap\w*\b|\binvalidite\b|\brqth\b|\bincapacite\b",
      "asks whether the candidate has a disability", "health", topic=True),
    R(r"\barrets? (maladie|de travail)\b|\b(etait|est|a ete|ete) (\w+ ){0,2}en arret\b|\bconges? (de )?"
      r"maladie\b|\bjours? de maladie\b|\bconge (de )?longue (maladie|duree)\b|\bmi-temps therapeutique\b",
      "asks about the candidate's health through their sick leave", "health", topic=True,
      unless=r"\b(sa|son) (responsable|manager|chef(fe)?|collegue|superieure?|n\+1|remplacante?)\b[^?]{0,20}"
             r"\ben arret\b"),
    R(r"\bmalad(e|es|ie|ies)\b|\bburn-?out\b|\bdepression\b",
      "asks about the candidate's health through sickness", "health", topic=True),
    R(r"\b(problemes?|soucis|raisons|etat|questions) de sante\b(?! (de|du|des) (l'|la |le |les )?"
      rf"{_THINGS})|\bsa sante\b|\bsante mentale\b|\betat physique\b",
      "asks about the candidate's health", "health", topic=True),
    R(r"\b(traitement (medical|lourd|psychiatrique|medicamenteux)|medicaments?|psychiatr\w*|psycholog\w*|"
      r"therapie|antidepresseurs?|cancer|diabete|epilepsie|vih|sida|chirurgie|hospitalis\w*|soucis de (dos|"
      r"sante|coeur)|problemes? de (dos|coeur|vue|audition|mobilite|memoire)|fauteuil roulant|bequilles|"
      r"mal de dos|blessures?|malentendante?s?|malvoyante?s?|sclerose( en plaques)?|parkinson|alzheimer|"
      r"autis\w*|asperger|tdah|bipolaire|schizophren\w*|crohn|myopathie|fibromyalgie|polyarthrite|avc|infarctus|"
      r"chimio(therapie)?|insuline|asthme|migraines?|maladie chronique|covid long|troubles? (bipolaires?|"
      r"psychiques?|anxieux|du spectre|de l'attention|musculo-squelettiques))\b",
      "asks about a medical condition or its treatment", "health", topic=True),
    R(r"\brendez-vous medicaux?\b|\brdv medicaux?\b|\b(visites?|consultations?) (chez le|au|du) medecin\b|"
      r"\braisons medicales\b|\bmedecin traitant\b",
      "asks about the candidate's health through their absences", "health"),

    # ---- genetic information, body
    R(r"\bgenetique\w*\b|\bantecedents (familiaux|medicaux)\b|"
      r"\bantecedents de\b[^?]{0,30}\bdans sa famille\b|\bdans sa famille\b[^?]{0,30}\b(cancer|maladie\w*|"
      r"alzheimer|diabete)",
      "asks for genetic information or family medical history", "genetic"),
    R(r"\bcombien (pese|mesure)-t-(il|elle)\b|\bcombien (il|elle) (pese|mesure)\b|\bson poids\b|"
      r"\bsa taille\b|\bquel est son poids\b|\bla taille (de|du) (la |le )?(candidat|candidate)\b|"
      r"\bsurpoids\b|\bobes(e|ite)\b|\ben centimetres\b|\ben kilos\b|\bcorpulen(ce|te)\b|"
      r"\b(taille|poids),? et (sa |son )?(poids|taille)\b",
      "asks about the candidate's height or weight", "body"),

    # ---- gender reassignment, sex, sexual orientation
    R(r"\btransition (de genre|de sexe)\b|\bsa transition\b(?! (vers|numerique|digitale|energetique|"
      r"ecologique|au|a la|du|de)\b)|\bchangement de (sexe|genre)\b|\btranssexuel\w*\b|\btransgenre\w*\b|"
      r"\btrans\b|\bidentite de genre\b|\b(ancien|premier) prenom\b|\bprenom de naissance\b|"
      r"\bnee? (homme|femme)\b",
      "asks about gender reassignment or the candidate's gender history", "gender_reassignment"),
    R(r"\b(est-ce|c'est) un homme ou une femme\b|\bhomme ou (une )?femme\b|\bfemme ou (un )?homme\b|"
      r"\bquel est son sexe\b|\bson sexe\b|\bson genre\b|"
      # "que ce soit une femme", "étant un homme": the candidate's sex made a question of its own.
      r"\b(soit|etait|est|etre|etant|fut) (une femme|un homme)(?= ?([?,.;!]|$|(dans|parmi|au sein|au milieu|"
      r"entouree?|seule?)\b))|\b(seule|unique) femme\b|\bseul homme\b|\ben tant que (femme|homme)\b|"
      r"\bpour une femme\b|\b(le|du) fait d'etre (une femme|un homme)\b",
      "asks the candidate's sex", "sex"),
    R(r"\b(gay|gai|lesbienne|homosexuel\w*|bisexuel\w*|heterosexuel\w*|orientation sexuelle|lgbt\w*|"
      r"petit ami ou (une )?petite amie|petite amie ou (un )?petit ami|meme sexe)\b|"
      # A partner offered as either sex ("avec une compagne ou avec un compagnon") asks which.
      rf"\b{_SHE} ou (avec )?(un |son |une |sa )?{_HE}\b|\b{_HE} ou (avec )?(une |sa |un |son )?{_SHE}\b",
      "asks about the candidate's sexual orientation", "orientation", topic=True),

    # ---- marriage and civil partnership
    R(r"\bnom de jeune fille\b|\bnom de (femme mariee|mariage|epouse)\b",
      "asks for the candidate's maiden name, which reveals their marital status", "marriage"),
    R(r"\b(est|etait)(-il|-elle)? (mariee?|celibataire|divorcee?|separee?|veuf|veuve|pacsee?|fiancee?|"
      r"en couple)\b|\bsituation (familiale|matrimoniale|amoureuse)\b|\bson (mari|epoux|conjoint|compagnon|"
      r"concubin)\b|\bsa (femme|epouse|conjointe|compagne|concubine)\b|\bpacs\b|\bse marier\b|"
      r"\bson mariage\b|\bvit-(il|elle) (seule?|en couple|avec (quelqu'un|son|sa))\b|\b(il|"
      r"elle) vit seule?\b|"
      # A wedding or engagement ring stands for being married.
      r"\bport\w*(-t-(il|elle))? (une |son |sa |d')?(alliance|bague de fiancailles)\b|"
      r"\bbague de fiancailles\b|\b(sans|son) alliance\b(?! (avec|entre|strategique|commerciale))",
      "asks about the candidate's marital status or partner", "marriage"),

    # ---- pregnancy, maternity, family
    R(r"\benceinte\b|\bgrossesses?\b|\bconges? (de )?(maternite|paternite|parental|naissance)\b|"
      r"\bmaternite\b|\bpaternite\b|\b(avoir|fonder) (des enfants|un enfant|une famille|un bebe)\b|"
      r"\bdesir d'enfant\b|\ballait\w*\b|\b(eu|avoir|a eu|attend|attendait) (un|une) (bebe|enfant)\b|"
      r"\baccouch\w*\b|\bagrandir la famille\b|\bnouveau-ne\b|\bpma\b|\bfiv\b|\bprocreation medicalement "
      r"assistee\b|\bfecondation in vitro\b|\b(in)?fertilite\b|\bdon d'ovocytes\b|\badopter un enfant\b",
      "asks about pregnancy, maternity or plans to have children", "pregnancy", topic=True),
    R(r"\ba-t-(il|elle) des enfants\b|\b(a|avait)(-t)?-(il|elle) (des|de jeunes) enfants\b|\bses enfants\b|"
      r"\bles enfants a l'ecole\b|\benfants en bas age\b|\bgard(e|er|ait) (de )?(ses|les) enfants\b|"
      r"\bqui garde\b|\bcreche\b|\bnounou\b|\bassistante maternelle\b|\b(parents?|proches?) (dependants?|"
      r"agees?|malades?)\b|\baidante?s? (familia\w*)?\b|\bcharges? de famille\b|\bvie de famille\b|"
      r"\bchercher (les|ses) enfants\b",
      "asks about the candidate's family and caring responsibilities", "family", topic=True),

    # ---- race, colour, nationality, ethnic or national origin
    R(r"\bd'ou (vient|venait|viennent|venaient|est|sont|etait)(-il|-elle|-ils|-elles)?\b(?! (le|la|les|l'|ce|"
      rf"cette) ?{_THINGS})|\bses parents\b[^?]{{0,30}}\b(viennent|sont (nes|originaires)|origine)|"
      r"\boriginaire (de|d')\b|\bd'ici ou d'ailleurs\b|\best-(il|elle) d'ici\b|\bvient-(il|"
      r"elle) d'ailleurs\b",
      "asks where the candidate or their family comes from, which points to national or ethnic origin",
      "race"),
    R(r"\borigine (ethnique|raciale|nationale|etrangere|sociale)\b|\b(est|etait)(-il|-elle)? d'origine\b|"
      r"\bses origines\b|\bson origine\b|\bethnie\b|\bethniques?\b|\brace\b|\bracial\w*\b|\bcouleur de "
      r"(sa |la )?peau\b",
      "asks the candidate's ethnic or national origin, race or colour", "race", topic=True),
    R(r"\blangue maternelle\b|\blangue natale\b|\blocut(eur|rice) nati(f|ve)\b|\best-(il|elle) nati(f|ve)\b|"
      r"\baccent\b",
      "asks about the candidate's mother tongue or accent, which points to where they come from", "race",
      topic=True, unless=r"\b(mettre|mis|met|mettait|mettant|mette) l'accent\b"),
    R(r"\bnationalites?\b|\bcitoyennete\b|\bpasseports?\b|\b(est|etait)(-il|-elle)? (etrangere?|immigree?)\b",
      "asks the candidate's nationality or citizenship, beyond whether they may work in the country",
      "nationality"),

    # ---- religion or belief
    R(r"\breligi(on|ons|eux|euse|euses)\b|\bcroyante?s?\b|\bcroyances?\b|\bpratiquante?s?\b|\b(catholique|"
      r"musulman\w*|juif|juive|juifs|protestant\w*|evangelique|bouddhiste|hindou\w*|athee|agnostique|"
      r"chretien\w*|mormon\w*|temoin de jehovah)s?\b",
      "asks about the candidate's religion or belief", "religion", topic=True),
    R(r"\bmesse\b|\beglise\b|\bmosquee\b|\bsynagogue\b|\bramadan\b|\bvoile\b|\bfoulard\b|\bhijab\b|\bkippa\b|"
      r"\bturban\b|\bshabbat\b|\bprier\b|\bprie-t-(il|elle)\b|\bprieres?\b|\bjeuner\b|\bjeunait\b|\bhalal\b|"
      r"\bcasher\b|\bcareme\b",
      "asks about the candidate's religion through its practice, holidays or dress", "religion", topic=True,
      unless=r"\blever le voile\b"),
    # Leaving before nightfall (the sabbath, breaking a fast) and food or drink avoided point to a faith.
    R(r"\b(partir|partai\w*|part|quitt\w*|rentr\w*|finir|finissai\w*|arret\w*|plus tot)\b[^?]{0,60}"
      r"\b(tombee (de la nuit|du jour)|coucher du soleil)\b|"
      r"\b(evit\w*|refus\w*|mang(e|er|eait|eaient|ent)|bu|buvai\w*|boi(t|vent)|boire|touchai\w*)"
      r"(-t)?(-il|-elle)? (pas |jamais )?(de |d')?(certains|certaines|de|du|d'|les|la|le|l'|des)( \w+)? ?"
      r"(plats?|viandes?|porc|alcool|vin|aliments?|nourriture|repas)\b|"
      r"\b(regime|restrictions?|interdits?|habitudes) (alimentaires?|religieu\w*)\b",
      "asks what the candidate eats, drinks or when they must leave, which points to their religion",
      "religion", topic=True),

    # ---- arrests, finances, military discharge
    R(r"\barretee?s? par la police\b|\barrestations?\b|\bcasier judiciaire\b|\bcondamnee?\b|\bprison\b|"
      r"\bgarde a vue\b|\b(ennuis|demeles|problemes) avec la (police|justice)\b|\bpar la police\b|"
      r"\bdelits?\b",
      "asks about arrests or a criminal record", "criminal", topic=True),
    R(r"\bdettes?\b|\bendettee?\b|\bsurendette\w*\b|\bdifficultes (financieres|d'argent)\b|"
      r"\bproblemes (financiers|d'argent)\b|\bsaisies?(-arret)? (sur|de|du) (son |sa |le |la )?(salaire|"
      r"remuneration|paie|compte|traitement)s?\b|\bl'objet d'une (saisie|procedure de surendettement)\b|"
      r"\bavis a tiers detenteur\b|\bhuissiers?\b|\bbanque de france\b|\bincidents? de paiement\b|\b(ses|"
      r"son|sa) (finances|prets?|credits?|emprunts?|epargne|situation financiere|patrimoine)\b|"
      r"\ba decouvert\b|\bfins de mois difficiles\b|\binterdite? bancaire\b|\bprets? personnels?\b",
      "asks about the candidate's personal finances or credit", "finances", topic=True,
      # "les saisies sur salaire des employés": the payroll's garnishments, not the candidate's.
      unless=r"\bdette technique\b|\b(recouvrement|gestion|cession) (des|de) (dettes|creances|impayes)\b|"
             r"\b(saisies?|avis a tiers detenteurs?|dettes?|prets?|credits?)( (sur|de|du) (salaire|"
             r"remuneration|paie|compte)s?)? (des|de ses|de leurs|du) (employes|salaries|personnel|"
             r"collaborateurs|agents|clients|debiteurs|locataires|usagers|adherents|menages)\b"),
    R(r"\b(radie|radiee|reforme|reformee|renvoye|renvoyee|exclue?|chassee?)s? (de l'armee|des armees|"
      r"de la legion|de la marine)\b|\b(armee|militaire|legion|marine nationale)\b[^?]{0,40}\b(radiation|"
      r"radiee?|reformee?|renvoi|exclu\w*|motif disciplinaire|deshonneur)|\b(radiation|reforme|renvoi|"
      r"exclusion)\b[^?]{0,40}\b(armee|militaire|armees)\b",
      "asks how the candidate left the armed forces", "military"),

    # ---- trade union membership, political opinions
    R(r"\bsyndi(que|quee|ques|quees|cat|cats|cal|cale|caux|caliste|calistes|calisme|quer)\b|\bgreves?\b|"
      r"\bgreviste\w*\b|\bdeleguee? (syndical|du personnel)\w*\b|\bcse\b|\bcomite (social et economique|"
      r"d'entreprise)\b|\brepresentante? du personnel\b|\b(cgt|cfdt|cfe-cgc|cftc|unsa|force ouvriere)\b|"
      r"\badherente? (a|de) (la|le) (fo|sud)\b",
      "asks about trade union membership or activity", "union", topic=True,
      unless=r"\b(negoci\w*|dialogu\w*|reunion\w*|relations?|travaill\w*|coordonn\w*|echang\w*) (\w+ ){0,3}"
             r"(avec )?(les|le|la) (syndicats?|cse|partenaires sociaux|representants du personnel)\b"),
    R(r"\b(opinions?|idees|convictions|engagements?|orientations?|sensibilite|tendances?|positions?|"
      r"affinites?) politiques?\b|\bpour quel parti\b|\bquel parti\b|\bparti politique\b|\bvot(e|es|ent|ait|"
      r"er|ez)\b|\belections\b|\bmilit(e|ait|ant|ante|antisme)\b|\bmanifest(ation|ations|er|ait|e)\b|\b(est|"
      r"etait|plutot|votait|militant|militante)(-il|-elle)? (de|a) (gauche|droite)\b|\bextreme (gauche|"
      r"droite)\b|"
      # Handing out leaflets, standing for a council or campaigning for an election is political activity.
      r"\btract(er|ait|ant|ent|s)\b(?!(-t)?(-il|-elle)? (une|la|le|des|les|sa|son|ses) (remorques?|"
      r"caravanes?|charges?|vehicules?|bateaux?|engins?))|\bdistribu\w* des tracts\b|"
      r"\b(les|aux|des) (municipales|legislatives|presidentielles?|europeennes|cantonales|primaires)\b|"
      r"\bcampagne electorale\b|\bcolisti(er|ere)\b|"
      r"\bconseill(er|ere) municipal\b|\bencarte\w*\b",
      "asks about the candidate's political opinions or activity", "politics", topic=True,
      unless=r"\bparti (a-t-(il|elle) )?(tire|tirer|tirait)\b|\btir\w* (le meilleur )?parti\b|"
             r"\bmanifest\w* (son|sa|ses|de l'|un|une|du|de la|des) (interet|enthousiasme|motivation|volonte|"
             r"curiosite|impatience|mecontentement|desaccord)"),
)

# Job titles whose work often deals with a protected topic (a midwife and pregnancy, a nursery and children).
_JOBS = (r"(responsable|directeur|directrice|drh|gestionnaire|infirmiere?|medecin|avocate?|conseillere?|"
         r"chargee? (de|d')|assistante? sociale?|ergotherapeute|kinesitherapeute|recrut(eur|euse)|juriste|"
         r"comptable|manager|chef(fe)?|encadrant(e)?|educat(eur|rice)|sage-femme|puericult(eur|rice)|auxiliaire|aide-soignante?|"
         r"animat(eur|rice)|enseignante?|professeure?|institut(eur|rice)|format(eur|rice)|psychologue|"
         r"orthophoniste|pharmacien(ne)?|technicien(ne)?|agente?|guide|cuisiniere?|travailleu(r|se) sociale?|"
         r"moni(teur|trice)|coach|aumonier|pediatre|gynecologue|dieteticien(ne)?|aide a domicile|"
         r"(auxiliaire|assistante?) de vie|educ)s?")
# "En tant que gestionnaire de paie, …", "dans son rôle de DRH", "Éducatrice en crèche, comment …": the
# question is about the candidate's duties.
JOB_CONTEXT = (r"\ben tant qu(e |')|\ben sa qualite de\b|\bdans (son|sa|ses) (role|fonctions?|poste|"
               rf"mission)s? (de |d')|\bcomme (\w+ )?{_JOBS}\b|^(une? |l')?{_JOBS}\b[^,?]{{0,50}}, ")
# Other people just before a topic word: their age, disability or language, not the candidate's.
OTHERS = (r"\b(patients|clients|salaries|employes|usagers|utilisateurs|eleves|residents|adherents|citoyens|"
          r"personnes|familles|visiteurs|candidats|collaborateurs|beneficiaires|dont les?|dont la)( \w+)?"
          r"( (de|en|avec|d'|a|des|du))? ?$")

FRENCH = Language("fr", PROTECTED, JOB_CONTEXT, OTHERS, LEADING, DOUBLE, FIXED_PAIRS, ABSOLUTE, FOLLOW_UP,
                  REQUEST)
