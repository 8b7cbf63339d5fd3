"""French wording rules: leading, double-barrelled and absolute questions over folded text. Pure."""

from __future__ import annotations

from .lint_base import Rule

# An open question starts with a question word, perhaps after a frame ("En tant que DRH, comment …").
# Open questions leave the words to the referee, so "jamais" there is their own view.
_WH = (r"(?:(?:a|de|en|dans|pour|sur|avec|par|depuis|pendant|jusqu'a) )?(?:quel|quelle|quels|quelles|qui|que|"
       r"qu'|quoi|comment|pourquoi|quand|ou|combien|lequel|laquelle|lesquels|lesquelles)\b")
REQUEST = (r"(decrivez|racontez|expliquez|donnez|citez|indiquez|parlez|evaluez|commentez|precisez|dites|"
           r"pourriez-vous decrire|pouvez-vous decrire)\b")
OPEN = rf"^(?:[^,?]{{0,80}}, )?(?:{_WH}|{REQUEST})"
# A second sentence that only follows up the first ("Que s'est-il passé ?").
FOLLOW_UP = (r"(que s'est-il passe|qu'est-il arrive|qu'a-t-(il|elle) fait( alors)?|comment (cela|"
             r"ca) s'est-il (termine|fini|resolu)|quel a ete le resultat|pourquoi)\s*[.?]?")
# Pairs that name one thing, so their "et" joins nothing.
# "Points forts et points faibles" (strengths and weaknesses) stays two questions, as in the English rules.
FIXED_PAIRS = (r"\b(commercial et marketing|ventes et marketing|points forts et (ses |les )?(axes|points|"
               r"pistes|domaines) (d'amelioration|de progres|a ameliorer)|"
               r"hygiene et securite|sante et securite|securite et sante|recherche et developpement|"
               r"entrees et sorties|debut et (de )?fin|nom et prenom|prenom et nom|"
               r"avantages et inconvenients|pour et contre|droits et devoirs|(missions|roles|fonctions|"
               r"taches) et responsabilites|formation et developpement|achats et approvisionnements?|"
               r"comite social et economique|hommes et femmes|femmes et hommes|noir et blanc|"
               r"paie et administration du personnel)\b")

LEADING: tuple[Rule, ...] = (
    Rule(r",\s*(n'est-ce pas|non|pas vrai|hein|vrai|c'est bien ca|c'est ca|vous ne trouvez pas|"
         r"vous ne pensez pas|je me trompe|oui ou non)\s*\?\s*$",
         "ends with a tag that asks the referee to confirm the statement before it"),
    Rule(r"\bne (pensez|trouvez|croyez|diriez)-vous pas\b|\bvous ne (pensez|trouvez|croyez|diriez) pas\b|"
         r"\b(etes|seriez)-vous d'accord\b|\bvous etes d'accord\b|\bn'etes-vous pas d'accord\b|"
         r"\b(partagez|partageriez)-vous (cet avis|cette opinion|ce point de vue)\b",
         "invites the referee to agree with a view the question already holds"),
    Rule(r"\bn'est-il pas (vrai|exact|juste|clair|evident)\b|\bn'est-ce pas\b|\best-il (vrai|exact) qu|"
         r"\bpouvez-vous (confirmer|reconnaitre|admettre) qu'(il|elle) (etait|a toujours|avait)\b",
         "presents an opinion as settled and asks the referee to confirm it"),
    Rule(r"\bquand a-t-(il|elle) (arrete|cesse) d|\bquand est-ce qu'(il|elle) a (arrete|cesse) d|"
         r"\bpourquoi (etait|est)-(il|elle) (si|aussi|tellement)\b|\bde combien a-t-(il|elle) (augmente|"
         r"ameliore|fait progresser|accru)\b|\bqu'est-ce qui (le|la) rendait (si|aussi|tellement)\b|"
         # "s'est-il enfin remis", "a-t-elle enfin compris": "enfin" takes a long failing as given.
         r"-(t-)?(il|elle) enfin\b|\b(il|elle|le candidat|la candidate) (a|est|s'est|avait|etait) enfin\b",
         "presupposes something about the candidate that the referee has not said"),
    Rule(r"\b(de toute evidence|evidemment|bien sur|sans aucun doute|sans nul doute|manifestement|"
         r"a l'evidence|incontestablement|indeniablement)\b",
         "states the answer as obvious before the referee gives it"),
    Rule(r"\b(tout le monde|tous|ses collegues|son ancien (manager|responsable|chef)|on|les gens) (me |"
         r"nous )?(dit|disent|affirme|affirment|pense|pensent|assure|assurent|raconte|racontent|trouve|"
         r"trouvent) qu",
         "appeals to what others supposedly think"),
    Rule(r"\b(son|sa|ses) (remarquables?|excellente?s?|exceptionnel\w*|formidables?|incroyables?|brillant\w*|"
         r"impressionnant\w*|extraordinaires?|lamentables?|deplorables?|fabuleu\w*)\b|\b(excellente?|"
         r"brillante?|remarquable|exceptionnel\w*|formidable) (manager|leader|professionnel\w*|commercial\w*|"
         r"collaborat\w*|ingenieur\w*|collegue|chef|cheffe|vendeu\w*|recrue)\b",
         "describes the candidate with a judgement the referee has not made"),
)

DOUBLE: tuple[Rule, ...] = (
    Rule(r"\b\w+,? et (la |le |l'|les |lui )?\w+-(vous|t-il|t-elle|il|elle)\b|"
         r"\bet (pourquoi|comment|quand|quel\w*|combien)\b",
         "joins two questions with \u201cet\u201d"),
    Rule(r"\b\w+ et (\w+ )?\w+", "is a yes-or-no question about two things at once",
         unless=rf"{OPEN}|\bpouvez-vous (me |nous )?confirmer\b|\bentre \w+( \d+)? et\b"),
    # "ses points forts et ses points faibles": a noun, perhaps with its adjective, on each side.
    Rule(r"\b(les|la|le|l'|ses|sa|son|de|des|du|d') ?\w+( \w+)? et (les|la|le|l'|ses|sa|son|de|des|du|d'|"
         r"dans) ?\w+",
         "asks about two things at once"),
)

# "Toujours" meaning "still" ("est-il toujours en poste ?"), and "déjà" meaning "already".
_STILL = (r"\btoujours (en poste|chez (vous|nous)|dans (votre|notre|cette|la meme|l'entreprise|le service|"
          r"l'equipe|le groupe|vos effectifs|vos equipes|ses fonctions)|en contact|en activite|en fonction|"
          r"employee?|salariee?|en lien|a votre service|membre|present(e)? (dans|chez)|la\b)|\bdeja (quitte|"
          r"parti|partie|commence|demarre|rejoint|ete remplacee?)\b")
_NOT_THE_CANDIDATE = (r"\b(les|des|la|le|aux) \w+ qui (\w+ )?(toujours|jamais)\b|\b(tout le monde|tous|"
                      r"personne)\b[^?]{0,30}\b(dit|disent|pense|pensent|affirme|affirment|trouve|"
                      r"trouvent)\b|\bpresque (toujours|jamais|tous|toutes|personne)\b|\bcomme toujours\b|"
                      r"\bpour toujours\b|\bdepuis toujours\b")
_SPANS = (r"(?!(jour|jours|semaine|semaines|mois|annee|annees|ans|trimestre|lundi|mardi|mercredi|jeudi|"
          r"vendredi|lundis|matin|matins|soir|soirs|nuit|sprint|fois)\b)")

ABSOLUTE: tuple[Rule, ...] = (
    Rule(r"\b(toujours|a tout moment|en permanence|constamment|continuellement|sans exception|sans faute|"
         r"systematiquement|a chaque fois|chaque fois|tout le temps|en toutes circonstances|sans jamais)\b",
         "asks whether something held every time, with no exception, which few people can honestly confirm",
         unless=rf"{OPEN}|{_NOT_THE_CANDIDATE}|{_STILL}"),
    Rule(r"\b(tout le monde|tous (ses|les) (collegues|clients|collaborateurs|managers|subordonnes|"
         r"fournisseurs|interlocuteurs))\b",
         "asks about everyone at once, which nobody can answer for", unless=rf"{OPEN}|{_NOT_THE_CANDIDATE}"),
    Rule(rf"\b(tous (les|ses|leurs|ces)|toutes (les|ses|leurs|ces)) \w+|\bchaque {_SPANS}\w+|"
         r"\b(l'integralite|la totalite) (de|des|du|d')\b|"
         r"\bchacune? (de|des) (ses|les|leurs) \w+",
         "asks whether it held for every single one, which few people can honestly confirm",
         unless=rf"{OPEN}|{_NOT_THE_CANDIDATE}"),
    Rule(r"\b(jamais|en aucun cas|a aucun moment|pas une seule fois|pas une? seule?|nulle part)\b|"
         r"\baucune? \w+|\bpersonne (ne|n'|dans|parmi|d'autre)\b|^personne\b",
         "asks whether something never happened, which nobody can honestly vouch for",
         unless=rf"{OPEN}|{_NOT_THE_CANDIDATE}"),
    Rule(r"\b(deja|a un moment ou a un autre|un jour ou l'autre|une seule fois|(la|le) moindre)\b",
         "asks whether something ever happened, over the whole time you worked together",
         unless=rf"{OPEN}|{_STILL}|\b(avez|aviez|auriez)-vous deja\b|\bvous (avez|aviez) deja\b"),
    Rule(r"\b(totalement|completement|entierement|absolument|parfaitement|pleinement|a cent pour cent|"
         r"a 100 ?%|100 ?%|sans la moindre)\b",
         "asks for complete certainty rather than a degree", unless=rf"{OPEN}"),
)
