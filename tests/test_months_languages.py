"""Months typed in Spanish and French read like months typed in English: 'marzo de 2021' is 2021-03."""

import pytest

from refcheck.months import MONTH_MESSAGE, month_problem, normalise_month

SPANISH = ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre",
           "noviembre", "diciembre"]
FRENCH = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre",
          "novembre", "décembre"]


@pytest.mark.parametrize("number,name", list(enumerate(SPANISH, 1)) + list(enumerate(FRENCH, 1)))
def test_every_spanish_and_french_month_name_is_read(number, name):
    expected = f"2021-{number:02d}"
    assert normalise_month(f"{name} 2021") == expected
    assert normalise_month(f"{name.capitalize()} 2021") == expected
    assert normalise_month(f"{name.upper()} 2021") == expected
    assert normalise_month(f"2021 {name}") == expected
    assert month_problem(normalise_month(f"{name} 2021")) is None


@pytest.mark.parametrize("typed", ["marzo de 2021", "Marzo de 2021", "marzo del 2021", "marzo, 2021",
                                   "mar. 2021", "mars 2021", "Mars 2021", " mars   2021 ", "03/2021"])
def test_march_2021_in_spanish_and_french(typed):
    assert normalise_month(typed) == "2021-03"


@pytest.mark.parametrize("typed,expected", [
    # Typed with or without accents, in any case.
    ("février 2020", "2020-02"), ("fevrier 2020", "2020-02"), ("FÉVRIER 2020", "2020-02"),
    ("août 2019", "2019-08"), ("aout 2019", "2019-08"), ("AOÛT 2019", "2019-08"),
    ("décembre 2018", "2018-12"), ("decembre 2018", "2018-12"),
    # Spanish short forms, with or without a full stop.
    ("ene 2022", "2022-01"), ("ene. 2022", "2022-01"), ("abr 2022", "2022-04"), ("ago. 2022", "2022-08"),
    ("sept. 2022", "2022-09"), ("set 2022", "2022-09"), ("setiembre de 2022", "2022-09"),
    ("dic. 2022", "2022-12"),
    # French short forms.
    ("janv. 2023", "2023-01"), ("févr. 2023", "2023-02"), ("fév 2023", "2023-02"), ("avr. 2023", "2023-04"),
    ("juil. 2023", "2023-07"), ("déc. 2023", "2023-12"),
    # June and July are never confused, in either language.
    ("juin 2023", "2023-06"), ("juillet 2023", "2023-07"),
    ("junio 2023", "2023-06"), ("julio 2023", "2023-07"),
])
def test_accents_and_short_forms(typed, expected):
    assert normalise_month(typed) == expected


@pytest.mark.parametrize("typed", ["de 2021", "marzember 2021", "mes de marzo", "marzo", "mars", "2021 de",
                                   "el 3 de marzo de 2021", "1er mars 2021"])
def test_what_is_not_a_month_stays_as_typed_in_any_language(typed):
    assert normalise_month(typed) == typed
    assert month_problem(normalise_month(typed)) == MONTH_MESSAGE


def test_an_accented_word_that_is_not_a_month_keeps_its_accents():
    assert normalise_month("  été   2021 ") == "été 2021"


def test_a_year_out_of_range_is_refused_in_any_language():
    assert month_problem(normalise_month("marzo de 1850")) == (
        "Check the year. Give the month and year, for example 03/2021.")
