"""The standards' published JSON Schemas (see README.md beside this file) as validators."""

from __future__ import annotations

import copy
import hashlib
import json
from functools import cache
from pathlib import Path

from jsonschema import Draft4Validator, Draft201909Validator

HERE = Path(__file__).resolve().parent

FILES = {
    "ob_v3p0_achievementcredential.json": (
        "5753fb3ecf7d024ed273dd364bd683f483eb47257e718e6618832cf89eb2083a"
    ),
    "ctdl_credentialSchema_2019-06-30.json": (
        "9ae22bafdbc7d9cb891dae46c9fd75388040e04c137b09fa4f4058f6e9138cf8"
    ),
}


@cache
def load(name: str) -> dict:
    """The schema file ``name`` kept beside this module, checked against its recorded SHA-256."""
    path = HERE / name
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    assert digest == FILES[name], f"{path} is not the recorded version ({digest})."
    return json.loads(data)


def open_badges_validator(definition: str = "Achievement") -> Draft201909Validator:
    """1EdTech's Open Badges 3.0 definition ``definition`` (with everything it refers to)."""
    published = load("ob_v3p0_achievementcredential.json")
    schema = {
        "$schema": published["$schema"],
        "$ref": f"#/$defs/{definition}",
        "$defs": published["$defs"],
    }
    Draft201909Validator.check_schema(schema)
    return Draft201909Validator(schema)


# The classes the 2019 release lists but ships without a definition (see README.md).
_UNDEFINED_CLASSES = ("ceterms:MicroCredential", "ceterms:DigitalBadge", "ceterms:OpenBadge")


@cache
def _ctdl_definitions() -> dict:
    schema = copy.deepcopy(load("ctdl_credentialSchema_2019-06-30.json"))
    definitions = schema["definitions"]
    template = definitions["ceterms:BachelorDegree"]
    for name in _UNDEFINED_CLASSES:
        assert name not in definitions, f"the release now defines {name}: use it"
        cls = copy.deepcopy(template)
        cls["properties"]["@type"] = {"enum": [name]}
        definitions[name] = cls
    # Language maps: a multi-valued text may be one map of lists, {"en-US": ["a", "b"]}.
    definitions["meta:langstring_multi"] = {
        "anyOf": [
            definitions["meta:langstring_multi"],
            {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
            },
        ]
    }
    return schema


def ctdl_validator(cls: str) -> Draft4Validator:
    """The Credential Engine's CTDL credential schema (2019 release) for the class ``cls``
    (``ceterms:MicroCredential``), adjusted only as README.md says: the missing class
    definitions, and multi-valued language maps."""
    published = _ctdl_definitions()
    schema = {
        "$schema": published["$schema"],
        "$ref": f"#/definitions/{cls}",
        "definitions": published["definitions"],
    }
    Draft4Validator.check_schema(schema)
    return Draft4Validator(schema)


def errors(validator, document) -> list[str]:
    """Every validation error, readable: its place in the document and the message."""
    return [
        f"{'/'.join(map(str, e.absolute_path)) or '(root)'}: {e.message}"
        for e in sorted(validator.iter_errors(document), key=lambda e: list(e.absolute_path))
    ]
