"""The report in the hiring side's language: every word of the PDF through the catalogues, its questions from
the published translation, its dates by Babel, and nothing left in English but what people typed."""

import io
import re

import pytest
import sqlalchemy as sa
from babel.dates import format_date
from pypdf import PdfReader

from refcheck import create_app
from refcheck.extensions import db
from refcheck.models import Candidate, Report, utcnow

from .conftest import release_case
from .test_untranslated import ENGLISH, TYPED

# Words the report must say in each language: headings, the verdict, the method, the scope's note.
EXPECTED = {
    "es": ["Informe de verificación de referencias y antecedentes", "El resultado", "Quién respondió",
           "Todos los datos comparados", "Método y limitaciones", "Lo que aceptó la persona candidata",
           "coinciden con lo que declaró", "Respuesta de la persona candidata:",
           "La persona candidata recibe este mismo documento", "Valoraciones de un vistazo",
           "¿Cómo valoraría la calidad del trabajo de la persona candidata?",
           "Página 1 de", "Huella", "Compruébelo en", "Discrepancia", "Una sola fuente", "(difiere)"],
    "fr": ["Rapport de vérification des références et du parcours", "Le résultat", "Qui a répondu",
           "Tous les faits comparés", "Méthode et limites", "Ce que la personne candidate a accepté",
           "déclarations de", "Réponse de la personne candidate",
           "La personne candidate reçoit ce même document", "Évaluations en un coup d'œil",
           "Comment évalueriez-vous la qualité du travail de la personne candidate",
           "Page 1 sur", "Empreinte", "Vérifiez-le sur", "Divergence", "Une seule source", "(diffère)"],
}
# What staff, the candidate and the referees typed in these cases, shown as typed.
TYPED_HERE = ["Checked with both referees.", "Test network; checked with both referees.",
              "My contract says otherwise.", "Solid engineer."]


def _said(pdf: bytes) -> str:
    """Return the PDF's words on one line, without what people typed."""
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    text = re.sub(r"\s+", " ", text)
    for typed in [*TYPED_HERE, *TYPED]:
        text = text.replace(typed, " ")
    return text


@pytest.mark.parametrize("language", ["es", "fr"])
def test_the_report_is_written_in_the_hiring_sides_language(app, client, invited, staff, sent_case, language):
    app.config["REPORT_LANGUAGE"] = language
    release_case(app, client, invited, staff, sent_case, answer="Solid engineer.",
                 reply="My contract says otherwise.", note="Checked with both referees.",
                 signal_note="Test network; checked with both referees.")
    pdf = client.get("/portal/report.pdf").data
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.trailer["/Root"]["/Lang"] == language  # screen readers read it in that language
    said = _said(pdf)
    # The heading over the title is set in capitals by the style sheet, so case is not compared.
    missing = [phrase for phrase in EXPECTED[language] if phrase.lower() not in said.lower()]
    assert not missing, said
    # Words the catch below cannot see: the running heads, page numbers and one-word labels.
    assert not [words for words in ("Page 1 of", "Check it at", "Fingerprint", "One source", "(differs)")
                if words in said]
    locale = {"es": "es", "fr": "fr"}[language]
    assert format_date(utcnow().date(), "long", locale=locale) in said  # "7 de diciembre de 2026"
    # The method quotes the English words employer names may differ by («and», «The»): those are meant.
    english = sorted({word.lower() for word in ENGLISH.findall(re.sub(r"«[^»]{0,12}»", " ", said))})
    assert not english, (english, said)


def test_a_report_language_refcheck_is_not_written_in_stops_the_app(tmp_path):
    with pytest.raises(RuntimeError, match="REFCHECK_REPORT_LANGUAGE must be one of en, es, fr"):
        create_app({"INSTANCE_PATH": str(tmp_path), "REPORT_LANGUAGE": "de",
                    "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite'}"})


def test_a_candidate_who_reads_another_language_is_told_the_report_is_in_the_hiring_sides(
        app, client, invited, staff, sent_case):
    release_case(app, client, invited, staff, sent_case, answer="Solid engineer.", reply="Agreed.",
                 note="Checked with both referees.", signal_note="Test network; checked with both referees.")
    note = "The report is written in"
    assert note not in client.get("/portal").get_data(as_text=True)  # English, as the report is
    with app.app_context():
        db.session.execute(sa.update(Candidate).values(language="es"))
        db.session.commit()
    home = client.get("/portal").get_data(as_text=True)
    assert "El informe está redactado en inglés, el idioma en que lo lee Northwind Analytics Ltd." in home
    # The setting changing later does not change what was released: the stored report is in English.
    app.config["REPORT_LANGUAGE"] = "es"
    assert "El informe está redactado en inglés" in client.get("/portal").get_data(as_text=True)
    with app.app_context():
        assert db.session.execute(sa.select(Report.language)).scalar_one() == "en"
