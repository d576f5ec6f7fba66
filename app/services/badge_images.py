"""Badge images a liaison uploads: checked by their content (never their name), stored under
the instance folder by their SHA-256, and served publicly only once an active published entry
shows them.

Only PNG and SVG are accepted. An SVG is parsed with ``defusedxml`` (no entities, no DTD) and
refused if it could run or fetch anything: a ``script`` or ``foreignObject`` element, an event
handler attribute (``on...``), a link that is not local (``#...``) or an inline image, or CSS
that imports or loads a ``url(...)`` from elsewhere.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from defusedxml import ElementTree
from defusedxml.common import DefusedXmlException
from flask import current_app, url_for

from app.enums import EntryStatus
from app.extensions import db
from app.models import CredentialContent, CredentialRequest, Entry, User
from app.services import workflow
from app.services.errors import InvalidInput, NotFound

MAX_BYTES = 512 * 1024
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
MIMETYPES = {"png": "image/png", "svg": "image/svg+xml"}
NAME_RE = re.compile(r"^[0-9a-f]{64}\.(png|svg)$")
FIELD = "badge_image"
# CSS that fetches: @import, or url(...) of anything but a local #fragment or an inline image.
_EXTERNAL_CSS = re.compile(r"@import|url\(\s*(?![\"']?\s*(?:#|data:image/))", re.IGNORECASE)


def _refuse(message: str) -> InvalidInput:
    return InvalidInput(message, {FIELD: [message]})


def _local(name: str) -> str:
    """An element's or attribute's name without its namespace, lower-cased."""
    return name.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def check_svg(data: bytes) -> None:
    """Raise ``InvalidInput`` unless ``data`` is an SVG document that can neither run script
    nor load anything from elsewhere."""
    try:
        root = ElementTree.fromstring(data)
    except (DefusedXmlException, ElementTree.ParseError, ValueError) as exc:
        raise _refuse("The file is not a PNG or SVG image.") from exc
    if _local(root.tag) != "svg":
        raise _refuse("The file is not a PNG or SVG image.")
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        tag = _local(element.tag)
        if tag == "script":
            raise _refuse("The SVG contains a script: upload an image without one.")
        if tag == "foreignobject":
            raise _refuse("The SVG embeds other content (foreignObject): upload a plain image.")
        for attr, value in element.attrib.items():
            name = _local(attr)
            if name.startswith("on"):
                raise _refuse(
                    f"The SVG has an event handler ({name}): upload an image without one."
                )
            if name == "href" and not value.strip().startswith(("#", "data:image/")):
                raise _refuse("The SVG links to something outside itself: embed everything.")
            if name == "style" and _EXTERNAL_CSS.search(value):
                raise _refuse("The SVG links to something outside itself: embed everything.")
        if tag == "style" and _EXTERNAL_CSS.search("".join(element.itertext())):
            raise _refuse("The SVG links to something outside itself: embed everything.")


def check(data: bytes) -> str:
    """The kind of image ``data`` is (``"png"`` or ``"svg"``), judged by its content.

    Raises ``InvalidInput`` (field ``badge_image``) for an empty or oversized file, a file that
    is neither, or an SVG that could run script or load something.
    """
    if not data:
        raise _refuse("The file is empty.")
    if len(data) > MAX_BYTES:
        raise _refuse(f"The image is larger than {MAX_BYTES // 1024} KB: make it smaller.")
    if data.startswith(PNG_MAGIC):
        if data[12:16] != b"IHDR":
            raise _refuse("The file is not a valid PNG image.")
        return "png"
    check_svg(data)
    return "svg"


def stored_name(data: bytes, kind: str) -> str:
    return f"{hashlib.sha256(data).hexdigest()}.{kind}"


def folder() -> Path:
    configured = current_app.config.get("BADGE_IMAGE_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "badge_images"


def save(request_id: int, data: bytes) -> str:
    """Check ``data`` and store it as ``<folder>/<request_id>/<sha256>.<ext>``; return the
    file's name. Storing the same image twice keeps one file."""
    name = stored_name(data, check(data))
    target_dir = folder() / str(int(request_id))
    target_dir.mkdir(parents=True, exist_ok=True)
    target = target_dir / name
    if not target.exists():
        partial = target.with_suffix(target.suffix + ".part")
        partial.write_bytes(data)
        partial.replace(target)
    return name


def public_url(name: str) -> str:
    return url_for("badges.image", name=name, _external=True)


def name_in_url(url: str | None) -> str | None:
    """The stored file an ``image_url`` of ours points at, else ``None``."""
    if not url:
        return None
    _, sep, name = url.rpartition("/badge-images/")
    return name if sep and NAME_RE.match(name) else None


def attach(
    actor: User, request_id: int, version: int | None, data: bytes, fields: dict[str, Any]
) -> CredentialRequest:
    """A liaison uploads a badge image while saving ``fields`` (which hold a ``badge`` dict).

    The image is checked first (nothing is saved if it is refused), then stored, and the
    badge's ``image_url`` set to its public address in the same save. Raises what
    ``workflow.update_request`` raises, and ``InvalidInput`` (field ``badge_image``).
    """
    check(data)
    workflow.get_request(actor, request_id)  # another institution's request: NotFound first
    name = save(request_id, data)
    badge = dict(fields.get("badge") or {})
    badge["image_url"] = public_url(name)
    return workflow.update_request(actor, request_id, version, {**fields, "badge": badge})


def _path(name: str) -> Path | None:
    for candidate in folder().glob(f"*/{name}"):
        if candidate.is_file():
            return candidate
    return None


def published_image(name: str) -> tuple[Path, str]:
    """The file and MIME type of a badge image an active published entry shows (anyone).

    Raises ``NotFound`` for a name no active entry uses, even if the file exists (a draft's
    image stays private until the entry is published).
    """
    if not NAME_RE.match(name):
        raise NotFound("There is no such badge image.")
    used = db.session.scalar(
        sa.select(sa.func.count(Entry.id))
        .join(CredentialContent, Entry.content_id == CredentialContent.id)
        .where(
            Entry.status == EntryStatus.ACTIVE,
            CredentialContent.badge_image_url.like(f"%/badge-images/{name}"),
        )
    )
    path = _path(name) if used else None
    if path is None:
        raise NotFound("There is no such badge image.")
    return path, MIMETYPES[name.rsplit(".", 1)[1]]


def request_image(actor: User, request_id: int) -> tuple[Path, str]:
    """The uploaded badge image of a request the actor may see. Raises ``NotFound`` (another
    institution's request, exactly like a missing one; or no uploaded image)."""
    request = workflow.get_request(actor, request_id)
    name = name_in_url(request.content.badge_image_url)
    if name is None:
        raise NotFound("This request has no uploaded badge image.")
    own = folder() / str(request.id) / name
    if own.is_file():
        return own, MIMETYPES[name.rsplit(".", 1)[1]]
    # A change request starts from its entry's content, and so shows the entry's image.
    return published_image(name)
