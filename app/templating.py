"""Template filters."""

from __future__ import annotations

import hashlib
import re

from flask import Flask


def domid(value: str) -> str:
    """A value made safe and unique as part of an HTML id."""
    slug = re.sub(r"[^a-z0-9]+", "-", value.lower()).strip("-")[:40]
    digest = hashlib.blake2s(value.encode(), digest_size=3).hexdigest()
    return f"{slug}-{digest}" if slug else digest


def register_templating(app: Flask) -> None:
    app.add_template_filter(domid, "domid")
