"""Rebuild the SOC 2018, NAICS 2022 and CIP 2020 vocabularies of this folder from their sources.

    python seed_data/taxonomy/build.py SOURCE_DIR

SOURCE_DIR holds the source files named in README.md, unchanged:

- ``soc2018_all.csv`` and ``naics2022_all.csv`` (danielruss/codingsystems)
- ``CIPCode2020.csv`` (the NCES file, as kept in coeifaria/BDP-LMA)

The script only selects columns, drops what is not a code in use (placeholder rows, codes that
CIP 2020 moved or deleted) and tidies whitespace; it never adds a code. It prints the counts.
Standard library only.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).resolve().parent

SOC_LEVELS = {"Major": "major", "Minor": "minor", "Broad": "broad", "Detailed": "detailed"}
NAICS_LEVELS = {
    "2": "sector",
    "3": "subsector",
    "4": "industry-group",
    "5": "naics-industry",
    "6": "national-industry",
}
CIP_LEVELS = {2: "series", 5: "group", 7: "program"}
# CIP 2020's "Action" column: the row of a 2010 code whose content moved elsewhere, and a deleted
# code, are kept in the NCES file for reference but are not codes in use.
CIP_NOT_IN_USE = {"Moved from", "Deleted"}
SMALL_WORDS = {"a", "an", "and", "as", "at", "by", "for", "in", "of", "on", "or", "the", "to"}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8-sig") as fh:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(fh)]


def _write(name: str, header: list[str], rows: list[list[str]]) -> None:
    with (HERE / name).open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(header)
        writer.writerows(rows)


def _title_case(text: str) -> str:
    """CIP series titles are in capitals in the source: ``AREA, ETHNIC ... STUDIES``."""
    words = text.lower().split(" ")
    out = []
    for i, word in enumerate(words):
        if i and word in SMALL_WORDS:
            out.append(word)
        else:
            out.append("/".join(part[:1].upper() + part[1:] for part in word.split("/")))
    return " ".join(out)


def build_soc(source: Path) -> Counter:
    rows = []
    for row in _rows(source / "soc2018_all.csv"):
        if row["code"].startswith("99-"):
            continue  # not part of SOC 2018
        parent = "" if row["parent"] == "NA" else row["parent"]
        level = SOC_LEVELS[row["Hierarchical_structure"]]
        rows.append([row["code"], row["title"], level, parent])
    _write("occupations.csv", ["code", "title", "level", "parent"], rows)
    _write(
        "occupation_groups.csv",
        ["code", "title"],
        [[code, title] for code, title, level, _ in rows if level == "major"],
    )
    return Counter(row[2] for row in rows)


def build_naics(source: Path) -> Counter:
    rows = []
    for row in _rows(source / "naics2022_all.csv"):
        if row["code"].startswith("99"):
            continue  # the file's own "Unknown" code, not part of NAICS
        code, level = row["code"], NAICS_LEVELS[row["Level"]]
        parent = "" if level == "sector" else row[f"naics{len(code) - 1}d"]
        rows.append([code, " ".join(row["title"].split()), level, parent])
    _write("industries.csv", ["code", "title", "level", "parent"], rows)
    return Counter(row[2] for row in rows)


def build_cip(source: Path) -> tuple[Counter, Counter]:
    rows, in_file = [], Counter()
    for row in _rows(source / "CIPCode2020.csv"):
        code = re.sub(r'[="]', "", row["CIPCode"])
        level = CIP_LEVELS[len(code)]
        in_file[level] += 1
        title = " ".join(row["CIPTitle"].split()).rstrip(".")
        if row["Action"] in CIP_NOT_IN_USE or title == "Reserved":
            continue
        if level == "series":
            title = _title_case(title)
        parent = {"series": "", "group": code[:2], "program": code[:5]}[level]
        rows.append([code, title, level, parent])
    _write("cip_programs.csv", ["code", "title", "level", "parent"], rows)
    return Counter(row[2] for row in rows), in_file


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        sys.exit(__doc__)
    source = Path(argv[1])
    print("SOC 2018:", dict(build_soc(source)))
    print("NAICS 2022:", dict(build_naics(source)))
    kept, in_file = build_cip(source)
    print("CIP 2020 rows in the source file:", dict(in_file))
    print("CIP 2020 codes in use:", dict(kept))


if __name__ == "__main__":
    main(sys.argv)
