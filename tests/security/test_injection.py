"""Hostile text in answers, replies and notes stays literal in every page and the PDF, and fetches nothing."""

import io
import re
from pathlib import Path

from pypdf import PdfReader
from weasyprint import HTML

from refcheck import report_pdf

from .conftest import hostile_text, release_case


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _passwd_lines() -> list[str]:
    path = Path("/etc/passwd")
    return [line for line in path.read_text().splitlines() if line.strip()][:3] if path.exists() else []


def _assert_escaped(html: str, attack: str) -> None:
    for markup in ("<script>alert(1)</script>", '<link rel="attachment"', "<img src=", "<object ",
                   '<link rel="stylesheet" href="http://127.0.0.1'):
        assert markup not in html, f"{markup!r} reached the page as markup"
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;link rel=" in html and "&lt;img src=" in html
    assert "{{7*7}}" in html and "@import url(file:///etc/passwd);" in html


def test_hostile_answers_stay_literal_text_on_staff_and_candidate_pages(app, client, invited, staff,
                                                                       sent_case, trap):
    attack = hostile_text(trap)
    staff_client = release_case(app, client, invited, staff, sent_case, answer=attack,
                                reply="Reply " + attack, note="Note " + attack)
    answers_page = staff_client.get(f"/staff/cases/{sent_case.id}/answers")
    case_page = staff_client.get(f"/staff/cases/{sent_case.id}")
    findings_page = client.get("/portal/findings")
    for page in (answers_page, case_page, findings_page):
        assert page.status_code == 200
        _assert_escaped(page.data.decode(), attack)
        # The only scripts a page loads are the application's own files.
        assert "script-src 'self'" in page.headers["Content-Security-Policy"]
    assert trap.hits == []


def test_hostile_answers_stay_literal_in_the_released_pdf_which_embeds_nothing(app, client, invited, staff,
                                                                              sent_case, trap):
    attack = hostile_text(trap)
    release_case(app, client, invited, staff, sent_case, answer=attack, reply="Reply " + attack,
                 note="Note " + attack)
    pdf = client.get("/portal/report.pdf").data
    assert pdf.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(pdf))
    text = "\n".join(page.extract_text() for page in reader.pages)
    compact = _compact(text)
    # Every character literal: {{7*7}} is printed as typed (never 49), the tags as text.
    assert _compact(attack) in compact
    assert compact.count(_compact(attack)) >= 3  # the answer, the reply and the note
    assert "7*7" in compact and "@importurl(file:///etc/passwd);" in compact
    assert not reader.attachments
    assert b"/EmbeddedFile" not in pdf and b"/FileAttachment" not in pdf and b"/Launch" not in pdf
    for line in _passwd_lines():
        assert line not in text and line.encode() not in pdf
    assert b"root:x:0:0" not in pdf and b"body { background: red }" not in pdf
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A") or {}
            assert "127.0.0.1" not in str(action.get("/URI", ""))
    assert trap.hits == []


def test_the_report_renderer_fetches_nothing_even_from_live_markup(app, trap):
    # Defence in depth: were a template ever to let markup through, the fetcher still refuses it.
    html = (f'<html><head><link rel="stylesheet" href="{trap.url}/live.css">'
            f'<style>@import url({trap.url}/import.css); @import url(file:///etc/passwd);</style></head>'
            f'<body><p>Live markup</p><img src="{trap.url}/img.png"><img src="file:///etc/passwd">'
            f'<link rel="attachment" href="file:///etc/passwd"><link rel="attachment" href="{trap.url}/a">'
            f'<object data="file:///etc/passwd"></object><iframe src="file:///etc/passwd"></iframe>'
            f"</body></html>")
    pdf = HTML(string=html, base_url=report_pdf.ASSET_BASE, url_fetcher=report_pdf.AssetFetcher()).write_pdf()
    reader = PdfReader(io.BytesIO(pdf))
    assert "Live markup" in reader.pages[0].extract_text()
    assert not reader.attachments and b"/EmbeddedFile" not in pdf
    for line in _passwd_lines():
        assert line.encode() not in pdf
    assert trap.hits == []
    # The trap does answer: a request made on purpose is recorded, so the empty list above means something.
    import urllib.request

    urllib.request.urlopen(f"{trap.url}/probe", timeout=5).read()  # noqa: S310 - loopback trap
    assert trap.hits == ["/probe"]
