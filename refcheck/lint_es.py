"""Spanish rules for the question linter: protected characteristics and proxies, one rule per way of asking.

Patterns read folded text (lint_fold: lower case, no accents, so "año" reads "ano"); the wording rules
(leading, double-barrelled, absolute) are in lint_es_wording. A rule marked as a topic catches a word
that is usually about the person but can be the job, which a job frame ("Como técnico de nóminas, …")
or other people just before it ("clientes de edad avanzada") clears. Pure: no Flask import.
"""

from __future__ import annotations

from .lint_base import Rule
from .lint_es_wording import ABSOLUTE, DOUBLE, FIXED_PAIRS, FOLLOW_UP, LEADING, REQUEST
from .lint_intl import Language

R = Rule
# Things that have an age, a source or a health of their own ("la edad media de la flota").
_THINGS = (r"(flota|sistemas?|aplicacion(es)?|equipos?|maquinas?|servidor(es)?|parque|codigo|plataformas?|"
           r"edificios?|vehiculos?|camiones|infraestructura|red|datos|fallo|error|problema|incidencia|"
           r"averia|cliente|clientes|proveedor(es)?|pedidos?|negocio|empresa|cartera|software|producto)")

PROTECTED: tuple[Rule, ...] = (
    # ---- age
    R(r"\bque edad\b|\b(su|la) edad\b|\bedad (tiene|tenia)\b|\bcuantos anos (tiene|tenia|"
      r"cumple)\b(?! (de )?(experiencia|trabajando|en el|en la|de antiguedad|en el puesto))",
      "asks the candidate's age directly", "age", topic=True,
      unless=rf"\bedad media\b|\bedad (de|del) (la |el |los |las )?{_THINGS}"),
    R(r"\bfecha de nacimiento\b|\bano de nacimiento\b|\b(en )?que ano nacio\b|\bcuando nacio\b|"
      r"\bnacid[oa] en (el )?(19|20)\d\d|\bcumpleanos\b",
      "asks the candidate's age through their date of birth", "age"),
    R(r"\b(tiene|tenia|tendra) (mas|menos) de (\d\d|veinte|treinta|cuarenta|cincuenta|sesenta) anos\b|"
      r"\b(ronda|rondaba|roza|rozaba|pasa|pasaba) (de )?los (\d\d|treinta|cuarenta|cincuenta|sesenta)\b|"
      r"\b(treintaner|cuarenton|cuarentona|cincuenton|cincuentona|sesenton|sesentona)\w*\b",
      "asks whether the candidate is above or below an age", "age"),
    R(r"\b(demasiado|muy|bastante|algo|tan) (mayor|joven|viej[oa]|mayores|jovenes)\b|\b(mas|menos) (mayor|"
      r"joven)\b|\b(gente|personas?|equipo|plantilla|perfil(es)?) (joven|jovenes|mayor|mayores)\b|"
      r"\bde (cierta edad|edad avanzada)\b",
      "judges the candidate by how old they are, or compares them with younger or older people", "age",
      topic=True),
    R(r"\b(pre)?jubila\w*\b|\bretirarse\b|\bpensionar\w*\b|\bpensionist\w*\b|\bedad de retiro\b|"
      r"\b(cuanto|cuantos anos|poco) le (falta|faltan|queda|quedan) para (el |la )?(retir|pension)\w*",
      "asks about the candidate's retirement, which points to their age", "age", topic=True,
      unless=r"\bplan(es)? de (pensiones|jubilacion)\b|\bjubilacion (de|del) (un|una|los|las|dos|tres|varios|"
             r"varias|sus|su|el|la|algun|alguna) "),
    R(r"\b(que|en que) ano\b[^?]{0,40}\b(termin\w*|acab\w*|licenci\w*|gradu\w*|bachillerato|carrera|estudios|"
      r"selectividad|titul\w*|instituto)|\bcuando (se )?(licencio|graduo|titulo|(termino|acabo) (la carrera|"
      r"los estudios|el bachillerato|el instituto)|saco el titulo)|\bhace cuant\w+ (anos|"
      r"tiempo) (que )?(acabo|termino|se licencio|se graduo|salio de)|\bano de (graduacion|promocion|"
      r"licenciatura)\b|\bpromocion de(l)? (19|20)\d\d|\bcuando (hizo|aprobo|termino|acabo|"
      r"paso) (la )?(selectividad|ebau|evau|pau|secundaria|eso)\b",
      "asks the candidate's age through when they finished their education", "age"),
    R(r"\bgeneracion\b|\bmillennials?\b|\bboomers?\b|\bnativ[oa]s? digital(es)?\b|\bgeneracion ?[xyz]\b",
      "asks about the candidate's generation, which stands for their age", "age",
      unless=r"\bgeneracion de (informes|leads|contenidos?|codigo|energia|valor|demanda|ingresos|clientes|"
             r"documentos|oportunidades|negocio)"),
    # Grandchildren say more about age than about caring: "¿Tiene ya nietos?".
    R(r"\b(tiene|tenia|tendra|tienen) (ya )?(\w+ )?(nietos|nietas|nieto|nieta)\b|\b(es|era|ha sido|sera|ser) "
      r"abuel[oa]\b",
      "asks whether the candidate has grandchildren, which points to their age", "age"),

    # ---- health and disability
    R(r"\b(discapacidad(es)?|discapacitad[oa]s?|minusvali\w*|diversidad funcional|incapacidad\w*|"
      r"invalidez|dependencia reconocida)\b",
      "asks whether the candidate has a disability", "health", topic=True),
    R(r"\bbajas?( \w+){0,2} (medicas?|por (enfermedad|estres|ansiedad|depresion|incapacidad|accidente|"
      r"salud)|laboral(es)?)\b|\b(estuvo|estaba|esta|ha estado|estuviera|estar|cogio|cogia|pidio|tuvo) "
      r"(\w+ ){0,3}de baja\b|\bbajas? (por|de) (it|incapacidad temporal)\b|\bbajas por\b|\btenido bajas\b",
      "asks about the candidate's health through their sick leave", "health",
      unless=r"\bsu (responsable|jefe|jefa|superior|companer[oa]|sustitut[oa])\w* "
             r"(\w+ )?(estuvo|estaba) de baja\b|\b(gestion|tramit|control|registr|cubr|supervis|coordin|"
             r"administr)\w* (\w+ ){0,2}bajas\b|\bbajas( \w+){0,3} (de|del) (su|sus|el|la|los) (equipo|"
             r"plantilla|personal|empleados|trabajadores|subordinados|colaboradores|departamento)\b"),
    R(r"\benferm(o|a|os|as|edad|edades|ar|aba|izo)\b|\bmalestar\b|\bpuso mal\b",
      "asks about the candidate's health through sickness", "health", topic=True),
    R(r"\b(problemas?|estado|motivos?|razones|cuestiones) de salud\b(?! (de|del) (la |el |los |las )?"
      rf"{_THINGS})|\bsu salud\b|\bsalud mental\b|\bestado fisico\b|\bcondicion medica\b",
      "asks about the candidate's health", "health", topic=True),
    R(r"\b(medicacion|medicamentos?|pastillas|tratamiento (medico|psicologico|psiquiatrico)|psicolog\w*|"
      r"psiquiatr\w*|terapia|antidepresivos?|depresion|ansiedad|cancer|diabetes|epilepsia|vih|cirugia|"
      r"hospitali\w*|burn-?out|crisis nerviosa|dolencias?|lesion(es)?|silla de ruedas|muletas|tratamiento "
      r"por|problemas? de (espalda|corazon|vista|oido|movilidad|memoria))\b",
      "asks about a medical condition or its treatment", "health", topic=True),
    R(r"\bcitas? (medicas?|con el medico)\b|\b(consultas?|visitas?) (al|del) medico\b|\bmotivos medicos\b|"
      r"\bmedico de cabecera\b|\bfaltaba\b[^?]{0,30}\b(medic\w*|hospital|salud)",
      "asks about the candidate's health through their absences", "health"),
    # What the candidate needed to reach or do the work; "adaptación al puesto" (settling in) is not this.
    R(r"\b(necesit|requer|precis|solicit|ped|pid)\w*\b[^?.]{0,25}\b(rampas?|ascensor|audifonos?|baston|andador|"
      r"interprete de (lengua de )?signos|adaptacion(es)? (de|en|del) (su )?puesto)\b|\b(usaba|utilizaba|usa|"
      r"llevaba) (un |una )?(audifonos?|baston|andador)\b|\bajustes razonables\b|\bmovilidad reducida\b|"
      r"\bpuesto adaptado\b|\b(le costaba|podia|dificultad(es)? para) (caminar|andar|subir escaleras|oir|"
      r"estar de pie)\b",
      "asks what the candidate needed to reach or do the work, which points to a disability", "health",
      topic=True, unless=r"\b(rampas?|ascensor(es)?) de (carga|descarga|mercancias|servicio)\b"),

    # ---- genetic information, body
    R(r"\bgenetic\w*\b|\bantecedentes (familiares|medicos)\b|\bhistorial medico familiar\b|\b(en|"
      r"de) su familia\b[^?]{0,30}\b(cancer|enfermedad\w*|alzheimer|diabetes)|"
      r"\bantecedentes de\b[^?]{0,20}\ben su familia\b|\b(familiar|familiares|padre|madre|hermano|hermana|"
      r"abuelo|abuela)\w* (con|que (tiene|tuvo|tenga|padece|padecio)) (alzheimer|cancer|parkinson|diabetes|"
      r"esquizofrenia|una enfermedad|enfermedad)",
      "asks for genetic information or family medical history", "genetic"),
    R(r"\bcuanto (pesa|mide)\b|\bsu (peso|estatura|altura|talla)\b|\bque (estatura|altura|peso)\b|"
      r"\b(estatura|altura) (tiene|tenia)\b|\bsobrepeso\b|\bobes[oa]\b|\bgord[oa]\b|\bbajit[oa]\b",
      "asks about the candidate's height or weight", "body"),

    # ---- gender reassignment, sex, sexual orientation
    R(r"\bcambio de (sexo|genero)\b|\bsu transicion\b(?!\s+(a|al|hacia|del?|entre|digital)\b)|"
      r"\btransicion de genero\b|\btransexual\w*\b|\btrans\b|\breasignacion\b|\btransgenero\b|"
      r"\bidentidad de genero\b|\bnombre (anterior|de nacimiento|legal anterior)\b|\bnacio (hombre|mujer)\b",
      "asks about gender reassignment or the candidate's gender history", "gender_reassignment"),
    R(r"\b(es|era) (un )?hombre o (una )?mujer\b|\bde que sexo\b|\bsu sexo\b|\bsu genero\b|"
      r"\b(hombre|mujer|chico|chica) o (mujer|hombre|chica|chico)\b",
      "asks the candidate's sex", "sex"),
    R(r"\b(siendo|por ser|al ser|para ser|como|para) (una |un )?(mujer|hombre|chica|chico)\b"
      r"(?! de (confianza|negocios|empresa|equipo|accion))",
      "weighs the candidate's sex in the question", "sex"),
    R(r"\b(gay|lesbiana|homosexual\w*|bisexual\w*|heterosexual\w*|orientacion sexual|lgtb\w*|lgbt\w*|"
      r"novio o novia|novia o novio)\b",
      "asks about the candidate's sexual orientation", "orientation", topic=True),

    # ---- marriage and civil partnership
    R(r"\bapellido de (solter[ao]|casad[ao])\b|\bnombre de solter[ao]\b",
      "asks for the candidate's maiden name, which reveals their marital status", "marriage"),
    R(r"\b(esta|es|estaba|era) (casad[oa]|solter[oa]|divorciad[oa]|separad[oa]|viud[oa]|comprometid[oa])\b|"
      r"\bestado civil\b|\bpareja (estable|de hecho)\b|\btiene pareja\b|\bsu (marido|mujer|esposo|esposa|"
      r"pareja|novio|novia|conyuge)\b|\b(se ha casado|se caso|piensa casarse|va a casarse|su boda)\b|"
      r"\bvive (sol[oa]|en pareja|con (alguien|su pareja|su novi[oa]))\b",
      "asks about the candidate's marital status or partner", "marriage"),

    # ---- pregnancy, maternity, family
    R(r"\bembaraz\w*\b|\b(baja|permiso|licencia) (de|por) (maternidad|paternidad|nacimiento|lactancia)\b|"
      r"\bmaternidad\b|\bpaternidad\b|\blactancia\b|\b(tener|tenga) (hijos|un hijo|familia|un bebe|ninos)\b|"
      r"\bformar una familia\b|\bser madre\b|\bser padre\b|\bampliar la familia\b|\b(dar|dado|dio) a luz\b|"
      r"\brecien nacido\b",
      "asks about pregnancy, maternity or plans to have children", "pregnancy", topic=True),
    R(r"\b(tiene|tenia|tienen) (ya )?(algun[oa]?s? )?(hijos?|hijas?|ninos|nin[oa]s|bebes?|un bebe|personas? "
      r"dependientes)\b|\bse (las )?(organizaba|organiza|apanaba|apana|arreglaba|arregla|manejaba) con "
      r"(los|sus) (hijos|ninos|crios|peques)\b|"
      r"\b(compagin|compatibiliz)\w*\b[^?]{0,30}\b(hijos|ninos|crios|crianza|vida familiar)\b|"
      r"\b(siendo|al ser|por ser) (madre|padre)\b|\bsus (hijos|hijas|ninos|nietos)\b|"
      r"\blos ninos (del|al|en el) (colegio|cole|guarderia)|\b(cuida|cuidaba|"
      r"cuidar) (de )?(a )?(sus|los) (hijos|ninos|padres|mayores)\b|\bguarderia\b|\b(familiar(es)?|"
      r"personas?|padres?|madres?) (dependientes?|a su cargo)\b|\bconciliacion\b|\bcargas familiares\b|"
      r"\b(recoger|llevar) a (los|sus) (ninos|hijos|crios)\b",
      "asks about the candidate's family and caring responsibilities", "family", topic=True),
    # Reduced hours or leave taken to care for someone; a company's short-time scheme (ERTE) is not this.
    R(r"\breduccion(es)? de (jornada|horario)\b|\bjornada reducida\b|\bguarda legal\b|"
      r"\bexcedencia (por|para) (cuidado|cuidar|hijos|familia\w*)\b|"
      r"\bcuidado de (sus hijos|sus padres|un familiar|familiares|su familia)\b",
      "asks about reduced hours or leave for caring, which points to the candidate's family responsibilities",
      "family", topic=True,
      unless=r"\berte\b|\b(de|a) (la plantilla|los empleados|sus empleados|su equipo|el equipo|"
             r"los trabajadores|sus trabajadores|sus subordinados)\b|"
             r"\b(gestion|tramit|aplic|calcul|negoci)\w* (\w+ ){0,2}(las |la )?reduccion"),

    # ---- race, colour, nationality, ethnic or national origin
    R(r"\bde donde (es|era|viene|venia|procede|son|eran|vienen|provienen)\b(?! (el|la|los|las|este|esta|"
      rf"ese|esa) {_THINGS})|\boriginariamente\b|\boriginalmente\b|"
      r"\bsus (padres|abuelos|familia)\b[^?]{0,30}\b(de donde|son de|origen|vienen|nacieron)\b|"
      r"\bes de aqui\b|\bde aqui o de fuera\b|\bes de fuera\b",
      "asks where the candidate or their family comes from, which points to national or ethnic origin",
      "race"),
    R(r"\borigen(es)? (etnico|racial|nacional|extranjero|familiar)\b|\b(es|era|sea|son|fuera) de origen\b|"
      r"\bsu origen\b|\betnia\b|\betnic[oa]s?\b|\braza\b|\bracial\b|\bcolor de (la )?piel\b",
      "asks the candidate's ethnic or national origin, race or colour", "race", topic=True),
    R(r"\blengua materna\b|\bidioma materno\b|\bhablante nativ[oa]\b|\bnativ[oa] (de|del) (espanol|"
      r"castellano|ingles|frances|catalan|gallego|euskera|aleman)\b|\bes nativ[oa]\b|\bacento\b",
      "asks about the candidate's mother tongue or accent, which points to where they come from", "race",
      topic=True, unless=r"\b(pone|poner|puso|ponia|pusiera) (el )?acento en\b"),
    R(r"\bnacionalidad\w*\b|\bciudadan[oa] (espanol|espanola|\w+)\b|\bciudadania\b|\bpasaportes?\b|"
      r"\bes (extranjer[oa]|inmigrante)\b",
      "asks the candidate's nationality or citizenship, beyond whether they may work in the country",
      "nationality"),

    # ---- religion or belief
    R(r"\breligi(on|ones|os[oa]s?)\b|\bcreyente\b|\bcreencias? (religios\w*)?\b|\b(catolic|musulman|judi[oa]|"
      r"evangelic|protestante|budist|hindu|ateo|atea|agnostic|cristian|mormon)\w*\b|\btestigo de jehova\b",
      "asks about the candidate's religion or belief", "religion", topic=True),
    R(r"\bmisa\b|\biglesia\b|\bmezquita\b|\bsinagoga\b|\bramadan\b|\bvelo\b|\bhiyab\b|\bkipa\b|\bturbante\b|"
      r"\bshabat\b|\brez(a|ar|aba|o)\b|\bayun\w*\b|\bhalal\b|\bkosher\b",
      "asks about the candidate's religion through its practice, holidays or dress", "religion", topic=True),
    # What the candidate does not eat or drink, or a belief-based diet; other people's menus are work.
    R(r"\b(restricci\w+|preferencias?|requisitos?|necesidades?|exigencias?) (alimentari\w+|dietetic\w+|"
      r"(con|en) la comida|de (dieta|comida|alimentacion))\b|"
      r"\bno (come|comia|comiera|coma|probaba|prueba|tomaba|toma|bebia|bebiera|bebe) (\w+ )?"
      r"(cerdo|carne|jamon|embutidos?|alcohol|vino|cerveza)\b|\bdieta (especial|religiosa)\b|"
      r"\b(es|era|sea|fuera) (vegetarian|vegan)\w*\b",
      "asks about what the candidate eats or drinks, which can point to their religion or belief", "religion",
      topic=True, unless=r"\b(de|para) (los|las|sus) (clientes|pacientes|comensales|usuarios|alumnos|"
                         r"huespedes|residentes|invitados|ninos|menores)\b"),

    # ---- arrests, finances, military discharge
    R(r"\bdetenid[oa]s?\b|\bdetencion(es)?\b|\barrest\w*\b|\bantecedentes penales\b|\bcondenad[oa]\b|"
      r"\bprision\b|\bcarcel\b|\bproblemas con la (policia|justicia)\b|\bpor la policia\b|\bdelitos?\b",
      "asks about arrests or a criminal record", "criminal", topic=True,
      unless=r"\b(proyecto|obra|proceso|produccion|desarrollo)s? (quedo |estuvo |esta |estaba )?detenid|"
             r"\b(certificados?|antecedentes|delitos?)\b[^?]{0,40}\b(de|del) (los|las|sus|el|la) (\w+ )?"
             r"(monitores|empleados|trabajadores|candidatos|aspirantes|voluntarios|profesores|personal|conductores|"
             r"vigilantes|contratad\w+|plantilla)\b"),
    R(r"\bdeudas?\b|\bendeudad[oa]\b|\bproblemas (economicos|financieros|de dinero)\b|"
      r"\bdificultades (economicas|financieras)\b|\bembarg\w*\b|\bmoros(o|a|os|as|idad)\b|"
      r"\bhistorial (crediticio|de credito)\b|\bsus (finanzas|prestamos|creditos|ahorros|"
      r"cuentas personales)\b|\bsu hipoteca\b|\basnef\b|\bsu situacion (economica|financiera)\b|"
      r"\bsituacion (economica|financiera) personal\b|\b(llega|llegaba) (bien |mal )?a fin de mes\b|"
      r"\bapuros economicos\b|\bprestamos? personal(es)?\b|\badelantos? de (nomina|sueldo)\b",
      "asks about the candidate's personal finances or credit", "finances", topic=True,
      unless=r"\bdeuda tecnica\b|\b(gestion|cobro|recobro|recuperacion) de (deudas|morosos|impagados)\b"),
    R(r"\b(piso|casa|vivienda) (propi[oa]|en propiedad|de alquiler|alquilad[oa])\b|"
      r"\b(propi[oa]|en propiedad) o (de |en )?alquiler\b|\b(vive|vivia) (\w+ )?de alquiler\b|"
      r"\bpropietari[oa] de (su|una|la) (casa|vivienda|piso)\b|\b(paga|pagaba) (un |el |su )?alquiler\b",
      "asks whether the candidate owns or rents their home, which points to their personal finances",
      "finances", topic=True),
    R(r"\b(baja|expulsion|licenciamiento|separacion) (del|de las|de la) (ejercito|fuerzas armadas|"
      r"servicio militar|armada|guardia civil)\b|\b(baja|expulsion|expulsad[oa]|"
      r"licenciamiento)\b[^?]{0,40}\b(ejercito|fuerzas armadas|militar|armada)\b|\b(ejercito|fuerzas armadas|"
      r"servicio militar|armada)\b[^?]{0,40}\b(baja|expuls\w*|deshonr\w*|honros\w*|licencia\w*|motivo)|"
      r"\b(como|por que) (termino|acabo|dejo|salio)\b[^?]{0,30}\b(servicio militar|ejercito|fuerzas armadas|"
      r"armada)\b|\blicencia (honrosa|deshonrosa)\b|"
      r"\bbaja (deshonrosa|disciplinaria)\b",
      "asks how the candidate left the armed forces", "military"),

    # ---- trade union membership, political opinions
    R(r"\bsindica(to|tos|l|les|lista|listas|cion|do|da|dos|das)\b|\bhuelgas?\b|\bcomite de empresa\b|"
      r"\bdelegad[oa] (sindical|de personal)\b|\bparo general\b|"
      r"\b(ccoo|ugt|cgt|cnt|csif|comisiones obreras)\b",
      "asks about trade union membership or activity", "union", topic=True,
      unless=r"\b(negoci\w*|reuni\w*|relacion\w*|trat\w*|coordin\w*|interlocu\w*|"
             r"dialog\w*) (\w+ ){0,4}(con )?(los|el|la) (sindicatos?|comite de empresa|"
             r"representacion sindical)\b"),
    R(r"\b(ideas|opiniones|ideologia|tendencia|afinidad|simpatias|convicciones|postura)s? politic\w*\b|"
      r"\b(que|algun|ningun) partido\b(?! de (futbol|tenis|padel|baloncesto))|\b(a|al|de|por) (que|"
      r"cual) partido\b|\bsimpatiza\w* con\b|\bpartido politico\b|\bvota(r|ba|do|ria)?\b|\bvoto\b|"
      r"\belecciones\b|\bmilita(ba|nte|ncia)?\b|\bmanifestacion(es)?\b|\bindependentis\w*\b|\bde (izquierdas|"
      r"derechas)\b",
      "asks about the candidate's political opinions or activity", "politics", topic=True,
      unless=r"\bpartido (le )?(saco|sacaba|sacar|saca)\b|\bsac\w* (el )?(maximo )?partido\b|"
             r"\bmanifestacion(es)? de (interes|voluntad)"),
)

# "Como técnico de nóminas, …", "en su puesto de enfermera": the question is about the candidate's duties.
JOB_CONTEXT = (r"\bcomo (\w+ ){0,2}?(responsable|director|directora|jefe|jefa|tecnic[oa]|gerente|coordinador|"
               r"coordinadora|administrativ[oa]|enfermer[oa]|medic[oa]|fisioterapeuta|abogad[oa]|asesor|"
               r"asesora|gestor|gestora|analista|consultor|consultora|profesor|profesora|trabajador social|"
               r"trabajadora social|agente|manager|mando intermedio|delegad[oa] de prevencion|reclutador|"
               r"reclutadora|cuidador|cuidadora|terapeuta|educador|educadora|auditor|auditora|inspector|"
               r"inspectora)\b|\ben su (puesto|papel|funcion|cargo) de\b")
# Other people just before a topic word: their age, disability or language, not the candidate's.
OTHERS = (r"\b(pacientes|clientes|empleados|empleadas|trabajadores|usuarios|alumnos|residentes|socios|"
          r"ciudadanos|personas|familias|huespedes|visitantes|candidatos|cuyos?|cuyas?)"
          r"( \w+)?( (de|con|en))? $")

SPANISH = Language("es", PROTECTED, JOB_CONTEXT, OTHERS, LEADING, DOUBLE, FIXED_PAIRS, ABSOLUTE, FOLLOW_UP,
                   REQUEST)
