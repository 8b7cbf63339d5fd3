"""Legal forms of companies in many countries, as left out of an employer's name when comparing. Pure.

Chosen from GLEIF's ISO 20275 Entity Legal Forms (ELF) code list, column "Abbreviations Local language"
and the local names, for the countries candidates most often work in; each is written as the words
refcheck.wording.words() makes of it (initials joined: "S.A." is "sa", "Sp. z o.o." is "sp zoo").

Left out on purpose, though the list has them: forms that are also ordinary words in names ("Trust",
"Foundation", "Fund", "Partnership", "Association", "Society", "Cooperative"): "Wellcome Trust" and
"Wellcome" are two organisations. Two-letter forms that also stand for a place ("NA" for North
America next to the bank form "N.A.") are left out too. See tests/data/MATCHING.md.
"""

from __future__ import annotations

# One-word legal forms written after the name (most countries), by region.
_ONE_WORD = """
limited ltd plc llc llp lp lllp pllc pc inc incorporated corp corporation co company ltee limitee ulc cic
cyf cyfyngedig dac clg teo teoranta
gmbh mbh ggmbh gesmbh ag kg ohg gbr ug ek ev eg kgaa se og keg oeg sagl sarl
bv nv vof cv bvba sprl cvba scrl vzw asbl srl sa sas sasu eurl snc sci scop sca scs scsp selarl
spa srls sapa scarl sl slu sau sll lda ltda eireli sab sapi eirl
ab abp hb kb as asa aps oy oyj ky hf ehf sia uab ou
ska sro vos ks kft zrt nyrt bt kkt rt ood eood ad ead doo dd ae epe ike sti tov bm jsc pjsc ojsc cjsc
kk gk yk pte bhd berhad tbk pcl pty npc
"""
# Legal forms of several words, matched whole before their parts.
_SEVERAL_WORDS = (
    "public limited company", "and co", "and company", "ug haftungsbeschrankt", "ges mbh",
    "gmbh and co kg", "gmbh and co", "ag and co kg", "s coop", "unipessoal lda", "sa de cv",
    "s de rl de cv", "s de rl", "sapi de cv", "sab de cv", "ab publ", "sp zoo", "sp j", "sp k",
    "spol sro", "ltd sti", "kabushiki kaisha", "godo kaisha", "yugen kaisha", "co ltd", "company limited",
    "pvt ltd", "private limited", "pte ltd", "sdn bhd", "sendirian berhad", "public company limited",
    "pty ltd", "pty limited", "proprietary limited", "soc ltd",
    # The same forms spelled out, as the list's local names give them (accents folded).
    "limited liability company", "limited liability partnership", "limited partnership",
    "aktiengesellschaft", "gesellschaft mit beschrankter haftung", "kommanditgesellschaft",
    "societe anonyme", "societe par actions simplifiee", "societe a responsabilite limitee",
    "sociedad anonima", "sociedad limitada", "sociedad de responsabilidad limitada",
    "sociedade anonima", "sociedade limitada", "societa per azioni", "societa a responsabilita limitata",
    "besloten vennootschap", "naamloze vennootschap", "aktiebolag", "osakeyhtio", "aksjeselskap",
    "aktieselskab", "anpartsselskab", "spolka z ograniczona odpowiedzialnoscia", "spolka akcyjna",
    "kabushikigaisha", "private limited company",
)
SUFFIXES: frozenset[tuple[str, ...]] = frozenset(
    {tuple(form.split()) for form in _SEVERAL_WORDS} | {(word,) for word in _ONE_WORD.split()})
# Legal forms written before the name: Indonesia (PT), Russia (OOO, OAO and kin, transliterated),
# Ukraine (TOV), Sweden's AB as in "AB Volvo" or "Aktiebolaget X", Finland's "Oy X Ab" (the Finnish
# form before the name, the Swedish after), and Japan's forms spelled out in front ("Kabushiki Kaisha
# Toshiba"). Russia's bare "AO" is left out: "A.O. Smith" is a name, not a form.
PREFIXES: frozenset[tuple[str, ...]] = frozenset(
    tuple(form.split()) for form in ("pt", "ooo", "oao", "zao", "pao", "tov", "ab", "aktiebolaget", "oy",
                                     "kabushiki kaisha", "kabushikigaisha", "godo kaisha", "yugen kaisha"))
LONGEST = max(len(form) for form in SUFFIXES | PREFIXES)
