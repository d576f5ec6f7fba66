"""Files filed with a request: employer letters of support, syllabi, the alignment grid.

PDF, DOCX, XLSX and PNG only, recognised by their content (never their name: the name's
extension must agree with what the content is), at most ``MAX_BYTES`` each and ``MAX_FILES``
per request. Stored under ``ATTACHMENT_DIR`` by their SHA-256, never executed, always sent as a
download. Only the institution's liaisons and the Regents see them (every lookup goes through
``workflow.get_request``); liaisons add and remove them while they may edit the request.
"""

from __future__ import annotations

import hashlib
import io
import re
import zipfile
from pathlib import Path

from flask import current_app

from app.enums import Role
from app.extensions import db
from app.models import Attachment, User
from app.permissions import can
from app.services import unit, workflow
from app.services.errors import Conflict, InvalidInput, NotFound, PermissionDenied

MAX_BYTES = 1536 * 1024  # under the 2 MB request body limit, with the form around it
MAX_FILES = 10
# A DOCX or XLSX is a zip: refuse one that would unpack to something huge (a zip bomb).
MAX_UNPACKED = 50 * 1024 * 1024
MAX_MEMBERS = 2000
TYPES = {
    "pdf": "application/pdf",
    "png": "image/png",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FIELD = "attachment"
_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()-]+")


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, {FIELD: [message]})


def folder() -> Path:
    return Path(current_app.config["ATTACHMENT_DIR"])


def detect(data: bytes) -> str | None:
    """The type of ``data`` by its content: ``pdf``, ``png``, ``docx``, ``xlsx`` or None."""
    if data.startswith(b"%PDF-"):
        return "pdf"
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return "png"
    if not data.startswith(b"PK\x03\x04"):
        return None
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > MAX_MEMBERS or sum(m.file_size for m in members) > MAX_UNPACKED:
                return None
            names = {m.filename for m in members}
    except (zipfile.BadZipFile, ValueError, OSError):
        return None
    if "[Content_Types].xml" not in names:
        return None
    if "word/document.xml" in names:
        return "docx"
    if "xl/workbook.xml" in names:
        return "xlsx"
    return None


def clean_name(filename: str) -> str:
    """A file name safe to show and to send back: no folders, no odd characters."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = _UNSAFE.sub("_", name).strip(" .")
    return name[-120:] or "attachment"


def add(
    actor: User, request_id: int, filename: str, data: bytes, description: str | None = None
) -> Attachment:
    """A liaison attaches a file to a request they may edit (draft or revisions requested).

    Raises ``NotFound``, ``PermissionDenied`` (not a liaison), ``Conflict`` (not editable now),
    ``InvalidInput`` (empty, too big, too many, or not a PDF, DOCX, XLSX or PNG)."""
    request = workflow.get_request(actor, request_id)
    if actor.role is not Role.LIAISON:
        raise PermissionDenied("Only the institution's liaisons attach files.")
    if not can(actor, "edit", request):
        raise Conflict(
            f"This request is {request.state.label.lower()}: files are attached while it is a "
            "draft or revisions are requested."
        )
    if not data:
        raise _refuse("Choose a file to attach.")
    if len(data) > MAX_BYTES:
        raise _refuse(f"The file is larger than {MAX_BYTES // 1024:,} KB: attach a smaller one.")
    if len(request.attachments) >= MAX_FILES:
        raise _refuse(f"A request holds at most {MAX_FILES} files: remove one first.")
    kind = detect(data)
    if kind is None:
        raise _refuse("Attach a PDF, Word (DOCX), Excel (XLSX) or PNG file.")
    name = clean_name(filename)
    stem, dot, extension = name.rpartition(".")
    if not dot or extension.lower() != kind:
        name = f"{stem or name}.{kind}" if dot else f"{name}.{kind}"
    description = (description or "").strip()[:300] or None
    digest = hashlib.sha256(data).hexdigest()
    path = folder() / f"{digest}.{kind}"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".part")
        tmp.write_bytes(data)
        tmp.replace(path)
    attachment = Attachment(
        request=request,
        filename=name,
        description=description,
        mimetype=TYPES[kind],
        size=len(data),
        sha256=digest,
        uploaded_by=actor,
    )
    db.session.add(attachment)
    unit.commit()
    return attachment


def get(actor: User, request_id: int, attachment_id: int) -> tuple[Attachment, Path]:
    """An attachment of a request the actor may see, and its file. Another institution's (or a
    missing one) raises ``NotFound``."""
    request = workflow.get_request(actor, request_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.request_id != request.id:
        raise NotFound("There is no such attachment.")
    extension = next(k for k, v in TYPES.items() if v == attachment.mimetype)
    path = folder() / f"{attachment.sha256}.{extension}"
    if not path.is_file():
        raise NotFound("The file of this attachment is missing.")
    return attachment, path


def remove(actor: User, request_id: int, attachment_id: int) -> None:
    """A liaison removes an attachment while the request is editable. The stored file stays
    (another attachment may share it); the row goes."""
    request = workflow.get_request(actor, request_id)
    attachment = db.session.get(Attachment, attachment_id)
    if attachment is None or attachment.request_id != request.id:
        raise NotFound("There is no such attachment.")
    if actor.role is not Role.LIAISON:
        raise PermissionDenied("Only the institution's liaisons remove files.")
    if not can(actor, "edit", request):
        raise Conflict(
            f"This request is {request.state.label.lower()}: its files can no longer change."
        )
    db.session.delete(attachment)
    unit.commit()
