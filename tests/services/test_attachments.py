"""Files attached to a request: checked by content, seen only by the institution and the
Regents, added and removed only while the liaison may edit the request."""

from __future__ import annotations

import io
import zipfile

import pytest

from app.services import attachments, workflow
from app.services.errors import Conflict, InvalidInput, NotFound
from app.workflow.states import RequestState
from tests.workflow_helpers import People, request_in

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def office(kind: str) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("word/document.xml" if kind == "docx" else "xl/workbook.xml", "<x/>")
    return out.getvalue()


@pytest.fixture
def people(app, tmp_path):
    app.config["ATTACHMENT_DIR"] = str(tmp_path / "attachments")
    return People()


def test_files_are_checked_by_content_and_named_by_it(people):
    draft = request_in(people, RequestState.DRAFT)
    letter = attachments.add(people.liaison, draft.id, "letter.pdf", PDF, "Farm Bureau letter")
    grid = attachments.add(people.liaison, draft.id, "grid.xlsx", office("xlsx"))
    syllabus = attachments.add(people.liaison, draft.id, "../../etc/syllabus.pdf", office("docx"))
    assert (letter.mimetype, grid.filename) == ("application/pdf", "grid.xlsx")
    assert syllabus.filename == "syllabus.docx"  # the content decides, and no folders
    for name, data in (
        ("evil.pdf", b"<script>alert(1)</script>"),
        ("macro.xlsx", b"PK\x03\x04not a zip"),
        ("big.pdf", b"%PDF-" + b"0" * attachments.MAX_BYTES),
        ("empty.pdf", b""),
    ):
        with pytest.raises(InvalidInput):
            attachments.add(people.liaison, draft.id, name, data)


def test_only_the_institution_and_the_regents_see_them(people):
    draft = request_in(people, RequestState.DRAFT)
    letter = attachments.add(people.liaison, draft.id, "letter.pdf", PDF)
    for who in (people.liaison, people.staff, people.chancellor):
        found, path = attachments.get(who, draft.id, letter.id)
        assert path.read_bytes() == PDF
    with pytest.raises(NotFound):
        attachments.get(people.other, draft.id, letter.id)


def test_files_change_only_while_the_request_is_editable(people):
    req = request_in(people, RequestState.DRAFT)
    letter = attachments.add(people.liaison, req.id, "letter.pdf", PDF)
    req = workflow.transition(people.liaison, req.id, "submit", version=req.version)
    with pytest.raises(Conflict):
        attachments.add(people.liaison, req.id, "late.pdf", PDF)
    with pytest.raises(Conflict):
        attachments.remove(people.liaison, req.id, letter.id)
    draft = request_in(people, RequestState.DRAFT, title="Deletable")
    attachments.add(people.liaison, draft.id, "letter.pdf", PDF)
    workflow.delete_draft(people.liaison, draft.id, draft.version)
