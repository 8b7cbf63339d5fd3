"""The released report: rendered once per version, sealed, identical on every download, and inert."""

import datetime as dt
import io
import re
import shutil
import subprocess

import pytest
import sqlalchemy as sa
from pypdf import PdfReader

from refcheck.extensions import db
from refcheck.models import AuditEvent, Case, Consent, Finding, Report
from refcheck.report_summary import columns, fact_name, spaced_fingerprint, value_words

from .conftest import (
    OTHER_CANDIDATE,
    consent,
    csrf_from,
    enter_portal,
    release_case,
    send_case,
)

INJECTION = ('<link rel="attachment" href="file:///etc/passwd"> <img src="http://example.invalid/x.png"> '
             '@import url(file:///etc/passwd); {{7*7}} </p><script>alert(1)</script> https://example.invalid/')


def _post(client, path, **data):
    page = client.get(path.rsplit("/", 1)[0] if "/staff/cases/" in path else "/portal")
    return client.post(path, data={**data, "csrf_token": csrf_from(page.data)}, follow_redirects=True)


@pytest.fixture
def released(app, client, invited, staff, sent_case):
    """A case taken through review, a reply and release; returns the staff client."""
    return release_case(app, client, invited, staff, sent_case, answer=INJECTION,
                        reply="My reply <b>stays as text</b>.", note="Checked with both referees.",
                        signal_note="Test network; checked with both referees.")


def test_release_waits_until_every_fraud_signal_has_a_note(app, client, invited, staff, sent_case):
    staff_client = release_case(app, client, invited, staff, sent_case, answer="Fine work.", reply="Agreed.",
                                note="Checked with both referees.", stop_at_candidate_review=True)
    base = f"/staff/cases/{sent_case.id}"
    token = csrf_from(staff_client.get(base).data)
    refused = staff_client.post(f"{base}/release", data={"csrf_token": token}, follow_redirects=True)
    assert b"Record how each fraud signal was handled first" in refused.data  # both answered from 127.0.0.1
    with app.app_context():
        assert db.session.execute(sa.select(Report)).first() is None


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def test_candidate_downloads_the_same_bytes_as_staff(app, client, released, sent_case):
    home = client.get("/portal")
    assert b"Your check is complete" in home.data
    mine = client.get("/portal/report.pdf")
    assert mine.status_code == 200 and mine.mimetype == "application/pdf"
    theirs = released.get(f"/staff/cases/{sent_case.id}/report.pdf")
    again = client.get("/portal/report.pdf")
    assert mine.data == theirs.data == again.data
    with app.app_context():
        stored = db.session.execute(sa.select(Report)).scalar_one()
        import hashlib

        assert hashlib.sha256(mine.data).hexdigest() == stored.sha256
        assert b"%PDF" not in stored.pdf_enc
        downloads = db.session.execute(sa.select(sa.func.count()).select_from(AuditEvent).where(
            AuditEvent.action == "report.downloaded")).scalar_one()
        assert downloads == 3

    text = _text(mine.data)
    assert "Amira Okafor" in text and "Senior Data Engineer" in text
    assert "My reply <b>stays as text</b>." in text
    assert "Checked with both referees." in text
    assert "Page 1 of" in text and spaced_fingerprint(stored.fingerprint) in text
    assert "Grace Lindqvist" not in text  # referees appear by relationship and organisation


def test_answers_with_markup_stay_literal_and_fetch_nothing(client, released):
    pdf = client.get("/portal/report.pdf").data
    # Line breaks in the PDF's text fall anywhere; compare without white space.
    compact = re.sub(r"\s+", "", _text(pdf))
    assert re.sub(r"\s+", "", INJECTION) in compact  # every character literal, {{7*7}} not evaluated
    reader = PdfReader(io.BytesIO(pdf))
    assert not reader.attachments
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert "example.invalid" not in str(action.get("/URI", ""))
    assert b"/EmbeddedFile" not in pdf and b"root:x:" not in pdf


def test_another_candidate_cannot_download_this_report(app, released, staff):
    other = send_case(app, staff, OTHER_CANDIDATE)
    intruder = app.test_client()
    enter_portal(intruder, other)
    consent(intruder, "Tomasz Wielgosz")
    assert intruder.get("/portal/report.pdf").status_code == 404


def test_verification_page_and_command(app, client, released, runner, tmp_path, sent_case):
    with app.app_context():
        stored = db.session.execute(sa.select(Report)).scalar_one()
        fingerprint, sha = stored.fingerprint, stored.sha256
    page = client.get("/verify")
    for value in (fingerprint, sha):  # the one printed on each page, and the file's own SHA-256
        ok = client.post("/verify", data={"csrf_token": csrf_from(page.data), "fingerprint": value})
        assert f"RC-{sent_case.id:05d}".encode() in ok.data and b"version <strong>1</strong>" in ok.data
        assert b"Amira" not in ok.data
    bad = client.post("/verify", data={"csrf_token": csrf_from(page.data), "fingerprint": "0" * 64})
    assert b"does not match any report" in bad.data
    out = tmp_path / "report.pdf"
    result = runner.invoke(args=["report", str(sent_case.id), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes() == client.get("/portal/report.pdf").data


def test_a_dispute_after_release_leads_to_a_new_version(app, client, released, sent_case):
    first = client.get("/portal/report.pdf").data
    page = client.get("/portal/findings")
    assert b"you can still dispute a finding" in page.data
    with app.app_context():
        from refcheck.models import Finding

        finding = db.session.execute(sa.select(Finding).order_by(Finding.position)).scalars().first()
    response = client.post(f"/portal/findings/{finding.id}", data={
        "csrf_token": csrf_from(page.data), "text": "The dates on my contract are 2022-01 to 2024-06."},
        follow_redirects=True)
    assert b"Your dispute is saved" in response.data
    case_page = released.get(f"/staff/cases/{sent_case.id}")
    assert b"The dates on my contract" in case_page.data
    released.post(f"/staff/cases/{sent_case.id}/release", data={"csrf_token": csrf_from(case_page.data)})
    second = client.get("/portal/report.pdf").data
    assert second != first
    assert "The dates on my contract are 2022-01 to 2024-06." in _text(second)
    with app.app_context():
        versions = db.session.execute(sa.select(Report.version).order_by(Report.version)).scalars().all()
        assert versions == [1, 2]
        old = db.session.execute(sa.select(Report).where(Report.version == 1)).scalar_one()
        from refcheck.report import pdf_bytes

        assert pdf_bytes(old) == first  # an issued version never changes


def test_signal_resolution_and_letter_paper_reach_the_report(app, client, released, sent_case):
    with app.app_context():
        from refcheck.models import FraudSignal, Referee

        referee = db.session.execute(sa.select(Referee)).scalars().first()
        signal = FraudSignal(case_id=sent_case.id, referee=referee, rule="too_fast",
                             detail="Completed 15 questions in 40 seconds (under 75).")
        db.session.add(signal)
        db.session.commit()
        signal_id = signal.id
    case_page = released.get(f"/staff/cases/{sent_case.id}")
    released.post(f"/staff/cases/{sent_case.id}/signals/{signal_id}", data={
        "csrf_token": csrf_from(case_page.data),
        "reason": "Called the referee; they had drafted answers offline."})
    app.config["REPORT_PAGE_SIZE"] = "Letter"
    released.post(f"/staff/cases/{sent_case.id}/release", data={"csrf_token": csrf_from(case_page.data)})
    pdf = client.get("/portal/report.pdf").data
    text = re.sub(r"\s+", " ", _text(pdf))
    assert "Called the referee; they had drafted answers offline." in text
    width, height = (float(v) for v in PdfReader(io.BytesIO(pdf)).pages[0].mediabox[2:])
    assert (round(width), round(height)) == (612, 792)  # US Letter in points


LONG_LABEL = "Direct report at Northwind Analytics and Data Engineering Consultancy Group Ltd"
# The width of the ratings' label column in report.css, in points.
LABEL_COLUMN = 62 / 25.4 * 72


def _rating_words(pdf: bytes, tmp_path) -> list[tuple[float, float, float, str]]:
    """Return (x_min, x_max, y_min, text) of each word between the Ratings and Answers headings."""
    path = tmp_path / "ratings.pdf"
    path.write_bytes(pdf)
    html = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    words = [(float(a), float(c), float(b), text) for a, b, c, text in re.findall(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)</word>', html)]
    texts = [w[3] for w in words]
    start = next(i for i, text in enumerate(texts) if text == "Ratings" and texts[i + 1] != "at")
    end = next(i for i in range(start, len(texts)) if texts[i:i + 3] == ["Answers", "side", "by"])
    return words[start:end]


@pytest.mark.skipif(not shutil.which("pdftotext"),
                    reason="needs pdftotext (poppler-utils) to find where words sit on the page")
def test_rating_labels_are_neutral_and_wrap_clear_of_their_bars(app, released, sent_case, tmp_path):
    from refcheck.report import gather, render

    with app.app_context():
        data = gather(db.session.get(Case, sent_case.id), attributed=True)
        labels = sorted(s["label"] for s in data["sources"])
        assert labels == ["Manager at Northwind Analytics", "Peer at Northwind Analytics"]
        # A long organisation name, as a direct report of the candidate would be labelled.
        for row in data["answers"]:
            row["answers"] = {LONG_LABEL if k == labels[0] else k: v for k, v in row["answers"].items()}
        for source in data["sources"]:
            source["label"] = LONG_LABEL if source["label"] == labels[0] else source["label"]
        for chart in data["ratings"]:
            chart["scores"] = [(LONG_LABEL if k == labels[0] else k, v) for k, v in chart["scores"]]
        data["columns"] = [LONG_LABEL if k == labels[0] else k for k in data["columns"]]
        pdf, _ = render(data, 2, dt.date(2026, 11, 23))
    assert "you" not in LONG_LABEL.lower() and "Person who reported to you" not in _text(pdf)
    words = _rating_words(pdf, tmp_path)
    label_words = [w for w in words if w[3] in ("Direct", "Consultancy", "Ltd")]
    assert len(label_words) >= 3 * 4  # each of the four ratings the manager gave shows the whole label
    assert len({round(w[2]) for w in label_words}) > 4  # it wraps onto more lines rather than running on
    left = min(x_min for x_min, _, _, _ in label_words)
    assert all(x_max <= left + LABEL_COLUMN + 1 for _, x_max, _, _ in label_words)
    scores = [w for w in words if w[3] == "4"]
    assert scores and all(x_min > left + LABEL_COLUMN for x_min, _, _, _ in scores)


def test_the_report_is_a_tagged_pdf_for_screen_readers(client, released):
    reader = PdfReader(io.BytesIO(client.get("/portal/report.pdf").data))
    catalog = reader.trailer["/Root"]
    assert bool(catalog["/MarkInfo"]["/Marked"]) and "/StructTreeRoot" in catalog


# ---------------------------------------------------------------- a report that leads with its answer

def _pages(pdf: bytes) -> list[str]:
    """Return each page's text with its white space made single spaces."""
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


@pytest.fixture
def accepted(app, client, invited, staff, sent_case):
    """A released case where the candidate wrote one reply and accepted every other finding."""
    staff_client = release_case(app, client, invited, staff, sent_case, answer="Fine work.",
                                reply="My contract says otherwise.", note="Checked with both referees.",
                                release=False)
    page = client.get("/portal/findings")
    with app.app_context():
        silent = db.session.execute(sa.select(Finding.id).where(~Finding.reply.has())).scalars().all()
    for finding_id in silent:
        client.post(f"/portal/findings/{finding_id}",
                    data={"csrf_token": csrf_from(page.data), "accepted": "y"})
    case_page = staff_client.get(f"/staff/cases/{sent_case.id}")
    staff_client.post(f"/staff/cases/{sent_case.id}/release", data={"csrf_token": csrf_from(case_page.data)})
    return staff_client


def test_page_one_is_the_summary_and_the_details_follow(app, client, accepted):
    pdf = client.get("/portal/report.pdf").data
    pages = _pages(pdf)
    first = pages[0]
    with app.app_context():
        findings = db.session.execute(sa.select(Finding)).scalars().all()
        conflicts = [f for f in findings if f.status == "conflict"]
    total = len(findings)
    assert re.search(rf"(All {total} facts|\d+ of {total} facts) agree with Amira Okafor's account", first)
    for heading in ("The result", "Who answered", "Ratings at a glance"):
        assert heading in first
    assert "Manager: 1 of 1 asked answered; Peer: 1 of 1 asked answered." in first
    assert "Details" not in first and "Every fact compared" not in first
    for conflict in conflicts:  # a conflict is read before anything else
        assert f"{fact_name(conflict.fact)} · " in first
    assert pages[1].lstrip().startswith("Details")
    # The replies fold: one written reply in full, every plain acceptance in one line.
    text = " ".join(pages)
    assert text.count("Candidate's reply:") == 1 and "My contract says otherwise." in text
    assert f"The candidate accepted the other {total - 1} findings as stated." in text


def test_values_and_fact_names_are_words(client, accepted):
    text = " ".join(_pages(client.get("/portal/report.pdf").data))
    assert not re.search(r"\b(19|20)\d\d-\d\d\b", text), "a month is written as digits"
    raw = r"\b(start_month|end_month|reason_for_leaving|rehire_eligible|single_source)\b"
    assert not re.search(raw, text)
    assert "Start date" in text and "Job title" in text and "Reason for leaving" in text
    assert "Candidate: Resigned" in text or "resigned" not in text
    assert value_words("end_month", "2023-06") == "June 2023"
    assert value_words("reason_for_leaving", "laid_off") == "Laid off (redundancy)"


def test_one_fingerprint_in_the_pdf_the_staff_page_and_the_portal(app, client, released, sent_case, tmp_path):
    staff_page = released.get(f"/staff/cases/{sent_case.id}").data.decode()
    shown = re.search(r'<code class="fingerprint">([0-9a-f ]+)</code>', staff_page).group(1)
    assert "SHA-256" not in staff_page and "/verify" in staff_page
    path = tmp_path / "report.pdf"
    path.write_bytes(client.get("/portal/report.pdf").data)
    if shutil.which("pdftotext"):
        printed = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                 check=True).stdout
    else:
        printed = _text(path.read_bytes())
    printed = re.sub(r"\s+", " ", printed)
    assert f"Fingerprint {shown} Check it at https://refcheck.test/verify" in printed
    assert printed.count(shown) >= 2  # on every page's foot, and in the method
    export = client.get("/portal/my-data").data.decode()
    assert f'<code class="fingerprint">{shown}</code>' in export
    with app.app_context():
        stored = db.session.execute(sa.select(Report)).scalar_one()
    page = client.get("/verify")
    for value in (shown, stored.sha256):  # as printed (spaces and all), and the file hash older pages showed
        ok = client.post("/verify", data={"csrf_token": csrf_from(page.data), "fingerprint": value})
        assert f"RC-{sent_case.id:05d}".encode() in ok.data and b"version <strong>1</strong>" in ok.data
    assert b'href="/verify"' in client.get("/").data


def test_grouped_answers_never_show_a_lone_referee(app, client, released, sent_case):
    text = " ".join(_pages(client.get("/portal/report.pdf").data))
    assert "Manager at Northwind" not in text and "Peer at Northwind" not in text
    assert "1 manager and 1 peer, combined" in text
    assert "The answers of the only manager who answered are combined with other referees' answers" in text


def test_attributed_answers_name_relationship_and_organisation(app, released, sent_case):
    from refcheck.report import gather, render

    with app.app_context(), app.test_request_context():
        consent = db.session.execute(sa.select(Consent)).scalar_one()
        consent.scope = {**consent.scope, "attribution": "attributed"}
        data = gather(db.session.get(Case, sent_case.id))
        pdf, _ = render(data, 2, dt.date(2026, 11, 23))
        db.session.rollback()
    text = " ".join(_pages(pdf))
    assert "Manager at Northwind Analytics" in text and "combined" not in text
    assert "may recognise who said what" in text


def _source(i: str, relationship: str) -> dict:
    return {"id": i, "label": relationship, "relationship": relationship, "state": "submitted", "answers": {}}


def test_grouping_needs_two_of_a_relationship():
    alone = [_source("m", "manager")]
    assert columns(alone, grouped=True)[0] == []
    two_managers_one_peer = [_source("m1", "manager"), _source("m2", "manager"), _source("p", "peer")]
    cols, notes = columns(two_managers_one_peer, grouped=True)
    assert [c["label"] for c in cols] == ["2 managers and 1 peer, combined"]
    assert notes == ["The answers of the only peer who answered are combined with other referees' answers, "
                     "not shown separately, so that they do not identify them."]
    two_and_two = [*two_managers_one_peer, _source("p2", "peer"), _source("c", "client"),
                   _source("o", "other")]
    cols, _ = columns(two_and_two, grouped=True)
    assert {c["label"]: sorted(c["members"]) for c in cols} == {
        "2 managers": ["m1", "m2"], "2 peers": ["p", "p2"],
        "1 client and 1 other colleague, combined": ["c", "o"]}
    assert all(len(c["members"]) >= 2 for c in cols)
    assert len(columns(two_managers_one_peer, grouped=False)[0]) == 3


def test_a_grouped_column_holds_back_a_question_only_one_of_its_referees_answered():
    from types import SimpleNamespace

    from refcheck.report_summary import answer_rows, ratings

    manager_only = SimpleNamespace(id=1, text="How did they lead the team?", kind="text", low_label="",
                                   high_label="")
    rated = SimpleNamespace(id=2, text="Quality of work", kind="rating", low_label="1", high_label="5")
    sources = [{**_source("m", "manager"), "answers": {"1": "A calm and fair lead.", "2": "5"}},
               {**_source("p", "peer"), "answers": {"2": "4"}}]
    cols, _ = columns(sources, grouped=True)
    assert [c["label"] for c in cols] == ["1 manager and 1 peer, combined"]
    rows = answer_rows([manager_only, rated], sources, cols, minimum=2)
    by_question = {row["question"]: row for row in rows}
    # Only the manager was asked: in a combined column that answer would be theirs alone.
    assert by_question["How did they lead the team?"]["answers"] == {}
    assert by_question["How did they lead the team?"]["withheld"] is True
    assert by_question["Quality of work"]["answers"] == {"1 manager and 1 peer, combined": ["4", "5"]}
    assert [chart["average"] for chart in ratings(rows, cols)] == [4.5]
    # Attributed, each referee stands under their own label and every answer shows.
    shown = answer_rows([manager_only], sources, columns(sources, grouped=False)[0])
    assert shown[0]["answers"] == {"manager": ["A calm and fair lead."]} and shown[0]["withheld"] is False


def test_the_report_says_why_answers_written_differently_agree(app, client, invited, staff, sent_case):
    staff_client = release_case(app, client, invited, staff, sent_case, answer="Fine work.", reply="Agreed.",
                                note="Checked with both referees.",
                                facts={"employer": "NORTHWIND ANALYTICS LIMITED",
                                       "title": "Sr. Data Engineer"})
    text = re.sub(r"\s+", " ", _text(staff_client.get(f"/staff/cases/{sent_case.id}/report.pdf").data))
    assert "same title: 'Sr.' is short for 'Senior'" in text
    assert "same employer: legal forms 'Ltd' and 'LIMITED' left out" in text
