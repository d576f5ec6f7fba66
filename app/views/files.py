"""How a request's attached file is sent: always as a download, never sniffed, never run."""

from __future__ import annotations

from pathlib import Path

from flask import send_file


def attachment_response(attachment, path: Path):
    response = send_file(
        path,
        mimetype=attachment.mimetype,
        as_attachment=True,
        download_name=attachment.filename,
        conditional=True,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-cache"
    return response
