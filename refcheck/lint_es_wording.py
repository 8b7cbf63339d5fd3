"""Spanish wording rules: leading, double-barrelled and absolute questions over folded text. Pure."""

from __future__ import annotations

from .lint_base import Rule

# An open question: it starts with a question word, at "¿" when there is one ("Como técnico, ¿cómo …?"),
# else at the start. Open questions leave the words to the referee, so "nunca" there is their own view.
_WH = (r"(?:(?:en|con|de|a|para|por|hasta|desde|durante|sobre) )?(?:que|cual|cuales|quien|quienes|como|"
       r"cuando|donde|cuanto|cuanta|cuantos|cuantas|adonde|por que)\b")
# "Cuénteme si …" asks for yes or no, so a request opens a question only when no "si" follows it.
OPEN = (rf"(?:^(?=[^¿]*$)|¿)\s*{_WH}|^(describa|describe|cuente|cuenteme|expliqueme|explique|indique|valore|"
        r"comente|digame|diga)\b(?! si\b)")
REQUEST = r"(describa|describe|cuente|cuenteme|expliqueme|explique|indique|valore|comente|digame|diga)\b"
# A second sentence that only follows up the first ("¿Qué ocurrió?").
FOLLOW_UP = (r"(que (ocurrio|paso|sucedio|hizo( entonces)?)|como (termino|acabo|se resolvio)|cual fue el "
             r"resultado|por que)\s*[.?]?")
# Pairs that name one thing, so their "y" joins nothing.
# Strengths and weaknesses are two questions (tests/data/README.md); "áreas de mejora" stays a pair
# as the team labelled it.
FIXED_PAIRS = (r"\b(ventas y marketing|marketing y ventas|altas y bajas|puntos fuertes y (sus |los )?(areas|"
               r"aspectos) (de mejora|a mejorar)|seguridad y salud|"
               r"salud y seguridad|investigacion y desarrollo|entrada y salida|inicio y fin|principio y fin|"
               r"nombre y (cargo|apellidos)|pros y contras|ventajas e inconvenientes|formacion y desarrollo|"
               r"(deberes|funciones|tareas) y responsabilidades|compras y aprovisionamiento|idas y venidas|"
               r"blanco y negro|recursos humanos)\b")

LEADING: tuple[Rule, ...] = (
    Rule(r",\s*¿?\s*(verdad|no|no es asi|no es cierto|cierto|a que si|eh|si o no|me equivoco|"
         r"no cree)\s*\?\s*$",
         "ends with a tag that asks the referee to confirm the statement before it"),
    Rule(r"\bno (cree|crees|diria|dirias|opina|le parece|te parece|piensa|esta (usted )?de acuerdo)\b|"
         r"\besta (usted )?de acuerdo\b|\b(coincide|comparte) (usted )?(en que|con|esa|esta)\b",
         "invites the referee to agree with a view the question already holds"),
    Rule(r"\b(no )?es (cierto|verdad) que\b|\bpuede (confirmar|reconocer|admitir) que (era|fue|tenia)\b",
         "presents an opinion as settled and asks the referee to confirm it"),
    Rule(r"\bcuando dejo de\b|\bpor que (\w+ ){0,2}?(tan|tanto|tantos|tantas)\b|\bcuanto (mejoro|"
         r"aumento|incremento|subio|crecio)\b|\bque (le hacia|la hacia|lo hacia) tan\b|"
         r"\bcon lo (\w+ ){1,2}que (es|era|fue|ha sido|resulta|resultaba)\b|\bsiendo tan\b|"
         r"\bdado lo (\w+ ){1,2}que (es|era)\b",
         "presupposes something about the candidate that the referee has not said"),
    Rule(r"\b(evidentemente|obviamente|sin duda|por supuesto|indudablemente|sin lugar a dudas|como es "
         r"logico|^claramente)\b",
         "states the answer as obvious before the referee gives it"),
    Rule(r"\b(todos|todo el mundo|sus companeros|sus jefes|la gente|varios|muchos|su anterior (jefe|jefa|"
         r"responsable))( \w+){0,3}? (dicen|dice|comentan|coinciden|opinan|afirman|asegura|aseguran|"
         r"cuentan) que\b",
         "appeals to what others supposedly think"),
    Rule(r"\bsu (excelente|extraordinari[oa]|gran|magnific[oa]|excepcional|brillante|impecable|enorme|"
         r"increible|fantastic[oa]|pesim[oa]|terrible|nefast[oa]|lamentable|notable)\b|\b(excelente|"
         r"excepcional|brillante|gran|magnific[oa]|pesim[oa]) (lider|profesional|jefe|jefa|trabajador\w*|"
         r"comercial|vendedor\w*|companer[oa]|gestor\w*)\b",
         "describes the candidate with a judgement the referee has not made"),
    Rule(r"\bsu (marido|mujer|esposo|esposa|pareja|novio|novia|familia|padre|madre) (le|la|lo) "
         r"(dejaba|deja|dejo|dejaria|permitia|permite|permitiria)\b|\b(le|la|lo) (dejaba|deja|dejo|permitia|"
         r"permite) su (marido|mujer|esposo|esposa|pareja|novio|novia|familia|padre|madre)\b",
         "presupposes a partner or relative who decides what the candidate may do"),
)

DOUBLE: tuple[Rule, ...] = (
    Rule(r"\b\w+ y (volveria|recomendaria|contrataria|la contrataria|lo contrataria|la volveria|lo volveria|"
         r"por que|como|cuando|cual|cuales|donde|que tal)\b|, y (que|como|por que|cual)\b",
         "joins two questions with \u201cy\u201d"),
    Rule(r"\b\w+ y (\w+ )?\w+", "is a yes-or-no question about two things at once",
         unless=rf"{OPEN}|\bpuede confirmar\b|\bentre \w+( de \d+)? y\b"),
    # "Con el comité de empresa y los delegados" names who one task was done with: one question.
    Rule(r"\b(los|las|el|la|sus|su|de|del|al) \w+ y (el|la|los|las|sus|su|de|del|al|en) \w+",
         "asks about two things at once",
         unless=r"\b(con|entre) (el|la|los|las|sus|su) (\w+ ){1,3}y (el|la|los|las|sus|su|con) \w+"),
    # Two qualities of the candidate, each with its own "su": "su capacidad técnica y su forma de …".
    Rule(r"\bsus? \w+ \w+ y sus? \w+", "asks about two of the candidate's qualities at once",
         unless=r"\bentre\b"),
    Rule(r"\b(puntos fuertes|fortalezas|virtudes)\b[^?]{0,20}\b[ye] (sus |los |las )?(puntos )?(debiles|"
         r"debilidades|defectos|flaquezas)\b",
         "asks for strengths and weaknesses at once"),
)

_NOT_THE_CANDIDATE = (r"\b(los|las|el|la|unos|unas) \w+ que (siempre|nunca|jamas)\b|\bde toda la vida\b|"
                      r"\b(todos|todo el mundo|nadie)\b[^?]{0,30}\b(dicen|dice|comentan|opinan|afirman)\b|"
                      r"\bcasi (siempre|nunca|todos|todas|nadie)\b|\bcomo siempre\b|\bsiempre que\b")
_SPANS = (r"(?!(dia|semana|mes|ano|trimestre|lunes|martes|miercoles|jueves|viernes|manana|tarde|noche|turno|"
          r"sprint|cierto tiempo|cuanto|vez mas)\b)")

ABSOLUTE: tuple[Rule, ...] = (
    Rule(r"\b(siempre|en todo momento|sin excepcion|sin falta|constantemente|continuamente|a todas horas|"
         r"todo el tiempo|en todos los casos|a diario sin)\b",
         "asks whether something held every time, with no exception, which few people can honestly confirm",
         unless=rf"{OPEN}|{_NOT_THE_CANDIDATE}"),
    Rule(r"\b(todo el mundo|toda la gente|todos (sus|los|mis|nuestros) (companeros|clientes|colegas|"
         r"jefes|subordinados|empleados|proveedores|colaboradores))\b|\b(con|a|de|por) tod[oa]s\s*(\?|$)|"
         # "¿Todo el equipo confiaba en ella?": the whole group as the one who judges, not as the object.
         r"^¿?\s*(todo el|toda la) (equipo|departamento|personal|grupo|plantilla|oficina|empresa)\b|"
         r"\b(todo el|toda la) (equipo|departamento|personal|grupo|plantilla|oficina) (la |lo |le )?"
         r"(confiaba|respetaba|apreciaba|queria|valoraba|apoyaba|seguia|aceptaba|coincidia)\b",
         "asks about everyone at once, which nobody can answer for",
         unless=rf"{OPEN}|{_NOT_THE_CANDIDATE}"),
    Rule(rf"\b(todos (los|sus)|todas (las|sus)) \w+|\bcada {_SPANS}\w+",
         "asks whether it held for every single one, which few people can honestly confirm",
         unless=rf"{OPEN}|{_NOT_THE_CANDIDATE}"),
    Rule(r"\b(nunca|jamas|en ningun momento|ni (un|una) sol[oa]( \w+)?|ni una vez|en ningun caso|"
         r"bajo ningun concepto)\b|^¿?\s*(ningun|ninguna|ninguno|nadie)\b|\b(ningun|ninguna|ninguno) (de|"
         r"\w+ se)\b|\bnadie\b",
         "asks whether something never happened, which nobody can honestly vouch for",
         unless=rf"{OPEN}|{_NOT_THE_CANDIDATE}"),
    Rule(r"\b(alguna vez|en algun momento|algun dia)\b",
         "asks whether something ever happened, over the whole time you worked together",
         unless=rf"{OPEN}|\b(ha|han|habia|hayan) (usted|ustedes) (\w+ )?alguna vez\b"),
    Rule(r"\b(completamente|totalmente|absolutamente|perfectamente|plenamente|(el )?cien por cien|100 ?%)\b",
         "asks for complete certainty rather than a degree", unless=rf"{OPEN}"),
)
