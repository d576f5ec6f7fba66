"""What every standard export shares: the public code sets an entry aligns with (SOC, NAICS,
CIP), the State Regents as an organisation, and the addresses of entries and institutions.

The format modules (``ctdl``, ``open_badges``, ``schema_org``) build their documents from
these, so a code, a framework or an address is written the same way in every format.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import quote

from flask import current_app, url_for

from app.models import CredentialContent, Entry, Institution


@dataclass(frozen=True)
class Framework:
    key: str
    name: str
    url: str
    node_pattern: str  # the public page of one code, ``{code}`` replaced

    def node_url(self, code: str) -> str:
        return self.node_pattern.format(code=quote(code, safe=""))


SOC = Framework(
    "soc",
    "Standard Occupational Classification (SOC) 2018",
    "https://www.bls.gov/soc/2018/",
    "https://www.onetonline.org/find/quick?s={code}",
)
NAICS = Framework(
    "naics",
    "North American Industry Classification System (NAICS) 2022",
    "https://www.census.gov/naics/",
    "https://www.census.gov/naics/?input={code}&year=2022",
)
CIP = Framework(
    "cip",
    "Classification of Instructional Programs (CIP) 2020",
    "https://nces.ed.gov/ipeds/cipcode/",
    "https://nces.ed.gov/ipeds/cipcode/default.aspx?y=56#{code}",
)


@dataclass(frozen=True)
class Alignment:
    """One code of a public code set that an entry aligns with."""

    framework: Framework
    code: str
    title: str

    @property
    def url(self) -> str:
        return self.framework.node_url(self.code)


def cip_alignments(content: CredentialContent) -> list[Alignment]:
    """The CIP 2020 programs of ``content``.

    The record format's ``cip_codes`` lands on the content as ``cip_codes``: taxonomy terms
    (with ``code`` and ``title``) or plain code strings are both read here. A content without
    that attribute has no CIP alignment.
    """
    out = []
    for item in getattr(content, "cip_codes", None) or []:
        if isinstance(item, str):
            code, title = item, item
        else:
            code, title = item.code, getattr(item, "title", None) or item.code
        if code:
            out.append(Alignment(CIP, code, title))
    return out


def occupation_alignments(content: CredentialContent) -> list[Alignment]:
    return [Alignment(SOC, t.code, t.title) for t in content.occupations]


def industry_alignments(content: CredentialContent) -> list[Alignment]:
    return [Alignment(NAICS, t.code, t.title) for t in content.industries]


# --- organisations and addresses -----------------------------------------------------------


@dataclass(frozen=True)
class Regents:
    name: str
    url: str
    ctid: str


def regents() -> Regents:
    """The State Regents (settings ``REGENTS_NAME``, ``REGENTS_URL``, ``REGENTS_CTID``); without
    a website of their own, the inventory's home page stands for them."""
    cfg = current_app.config
    return Regents(
        name=cfg.get("REGENTS_NAME") or "State Regents for Higher Education",
        url=cfg.get("REGENTS_URL") or url_for("public.home", _external=True),
        ctid=cfg["REGENTS_CTID"],
    )


def entry_page(entry: Entry) -> str:
    return url_for("public.entry", key=entry.slug, _external=True)


def institution_page(institution: Institution) -> str:
    return url_for("public.institution", slug=institution.slug, _external=True)


def institution_ctdl_url(institution: Institution) -> str:
    return url_for("exports.institution_ctdl", slug=institution.slug, _external=True)


def regents_ctdl_url() -> str:
    return url_for("exports.regents_ctdl", _external=True)


def entry_ctdl_url(entry: Entry) -> str:
    return url_for("exports.entry_ctdl", key=entry.id, _external=True)


def achievement_url(entry: Entry) -> str:
    return url_for("exports.achievement", key=entry.id, _external=True)


def has_badge(entry: Entry) -> bool:
    """Whether ``entry`` describes a badge (a digital-badge entry, or a micro-credential with a
    badge attached): those have an Open Badges achievement."""
    content = entry.content
    return bool(content.badge_name)
