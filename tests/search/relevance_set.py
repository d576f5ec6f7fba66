"""Labelled queries over the seed inventory, written as learners and employers type them
(misspellings, abbreviations, occupations, institutions, skills), with the entries each
should find. An entry is named by its title and, where only one institution's entry is
meant, by ``Title @ CODE``. Used by the relevance test and by ``make bench``.

The labels say what a person means; they were written before the engine was run on them.
"""

from __future__ import annotations

QUERIES: list[tuple[str, str, list[str]]] = [
    # (kind, query, expected entries)
    ("misspelling", "phlebotmy", ["Phlebotomy Technician"]),
    (
        "misspelling",
        "welidng",
        ["MIG and TIG Welding", "Pipe Welding", "Welding Fundamentals (SMAW)"],
    ),
    (
        "misspelling",
        "cybersecurty",
        [
            "Cybersecurity Fundamentals",
            "Cybersecurity Operations Analyst",
            "Industrial Control Systems Cybersecurity",
        ],
    ),
    ("misspelling", "pharmacy techician", ["Pharmacy Technician"]),
    ("misspelling", "nursing assistent", ["Long-Term Care Nurse Aide"]),
    ("misspelling", "forklfit", ["Forklift Operator Safety"]),
    ("misspelling", "horticulure", ["Horticulture and Greenhouse Management"]),
    ("misspelling", "quickbook", ["Accounting Fundamentals with QuickBooks"]),
    ("abbreviation", "CNA", ["Long-Term Care Nurse Aide"]),
    (
        "abbreviation",
        "EMT",
        ["Emergency Medical Technician", "Advanced Emergency Medical Technician"],
    ),
    (
        "abbreviation",
        "CDL",
        ["Commercial Driver's License (CDL Class A)", "Commercial Driver's License (CDL Class B)"],
    ),
    ("abbreviation", "HVAC", ["HVAC Technician (EPA 608)"]),
    ("abbreviation", "LPN", ["LPN to RN Transition"]),
    ("abbreviation", "IT support", ["IT Support Specialist (CompTIA A+)"]),
    ("abbreviation", "HR", ["Human Resources Management (SHRM-CP Preparation)"]),
    ("abbreviation", "GIS mapping", ["Geospatial Data Analytics (GIS)"]),
    ("abbreviation", "AI", ["Artificial Intelligence Foundations"]),
    (
        "everyday words",
        "truck driving",
        [
            "Commercial Driver's License (CDL Class A)",
            "Commercial Driver's License (CDL Class B)",
        ],
    ),
    ("everyday words", "heating and air conditioning", ["HVAC Technician (EPA 608)"]),
    ("everyday words", "drone pilot", ["Unmanned Aircraft Systems (FAA Part 107)"]),
    ("everyday words", "medical billing", ["Medical Coding and Billing"]),
    ("everyday words", "sign language", ["American Sign Language"]),
    ("everyday words", "solar panels", ["Solar PV Installation"]),
    ("everyday words", "child care director", ["Childcare Center Director Credential"]),
    ("everyday words", "tax preparation", ["Volunteer Income Tax Assistance (VITA)"]),
    (
        "occupation",
        "welder",
        ["MIG and TIG Welding", "Pipe Welding", "Welding Fundamentals (SMAW)"],
    ),
    (
        "occupation",
        "electrician",
        [
            "Residential Electrical Wiring",
            "Commercial Electrical (Journeyman Preparation)",
        ],
    ),
    ("occupation", "firefighter", ["Firefighter I"]),
    ("occupation", "911 dispatcher", ["Public Safety Telecommunicator (911)"]),
    ("occupation", "medical assistant", ["Medical Assistant Clinical Skills"]),
    ("occupation", "dental assistant", ["Dental Assisting Radiography"]),
    ("occupation", "substitute teacher", ["Substitute Teacher Preparation"]),
    ("occupation", "wind turbine technician", ["Wind Turbine Technician"]),
    ("occupation", "web developer", ["Full-Stack Web Development"]),
    ("occupation", "project manager", ["Project Management (CAPM Preparation)"]),
    ("occupation", "veterinary assistant", ["Veterinary Assistant"]),
    (
        "institution",
        "university of oklahoma cybersecurity",
        [
            "Cybersecurity Fundamentals @ OU",
            "Cybersecurity Operations Analyst @ OU",
            "Cyber Defense for Small Business @ OU",
        ],
    ),
    ("institution", "oklahoma state university welding", ["Pipe Welding @ OSU"]),
    ("institution", "TCC python", ["Data Analytics with Python @ TCC"]),
    ("institution", "Tulsa Community College cherokee", ["Cherokee Language @ TCC"]),
    ("skill", "cherokee", ["Cherokee Language"]),
    ("skill", "excel", ["Microsoft Excel for Business"]),
    ("skill", "python", ["Python Programming", "Data Analytics with Python"]),
    ("skill", "six sigma", ["Lean Six Sigma Green Belt"]),
    (
        "skill",
        "food safety",
        [
            "ServSafe Food Protection Manager",
            "Meat Science and Food Safety (HACCP)",
        ],
    ),
    ("skill", "ethical hacking", ["Ethical Hacking and Penetration Testing"]),
    ("skill", "penetration testing", ["Ethical Hacking and Penetration Testing"]),
    ("skill", "graphic design", ["Graphic Design with Adobe Creative Cloud"]),
    ("skill", "aws cloud", ["Cloud Computing Foundations (AWS)"]),
    ("skill", "healthcare data", ["Healthcare Data Analytics"]),
    ("skill", "spanish for nurses", ["Spanish for Health Care Professionals"]),
    ("word beginning", "vet", ["Veterinary Assistant"]),
    ("word beginning", "horticult", ["Horticulture and Greenhouse Management"]),
]


def _expected_ids(expected: list[str]) -> set[int]:
    import sqlalchemy as sa

    from app.enums import EntryStatus
    from app.extensions import db
    from app.models import Entry, Institution

    ids: set[int] = set()
    for label in expected:
        title, _, code = label.partition(" @ ")
        query = sa.select(Entry.id).where(Entry.title == title, Entry.status == EntryStatus.ACTIVE)
        if code:
            query = query.join(Entry.institution).where(Institution.code == code)
        found = set(db.session.scalars(query))
        assert found, f"no active entry {label!r}"
        ids |= found
    return ids


def recall_at_5(search_ids) -> tuple[float, list[tuple[str, float, list[int]]]]:
    """Mean recall@5 over the set: for each query, the share of its expected entries (at
    most 5) among the first five results of ``search_ids(q)``. Inside an app context."""
    rows = []
    for _kind, q, expected in QUERIES:
        want = _expected_ids(expected)
        top = search_ids(q)[:5]
        rows.append((q, len(want & set(top)) / min(5, len(want)), top))
    return sum(r for _q, r, _t in rows) / len(rows), rows
