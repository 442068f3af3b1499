"""``release build --card-info FILE``: what the curator states about a release that its data
cannot say (citation, licence, attribution, intended uses, maintainer, contact, the dataset
imported texts and annotations came from), checked against ``schemas/card_info.schema.json``.

The file's content and sha256 are recorded in the manifest, and the card is written from the
manifest alone; editing the built card by hand makes ``release verify`` fail.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from akhbar import schemas
from akhbar.schemas.errors import InputError, UsageError
from akhbar.schemas.yaml_safe import load_yaml

# The fields a card needs; each one left empty is a warning in the build's report.
EXPECTED = (
    "citation",
    "license",
    "attribution",
    "intended_uses",
    "maintainer",
    "contact",
    "curation_rationale",
    "language_variety",
    "annotators",
    "known_limitations",
)


def read_card_info(path: Path) -> dict[str, Any]:
    """``{"file", "sha256", "data"}`` for the manifest; one line on a bad file."""
    try:
        raw = path.read_bytes()
    except OSError as e:
        raise InputError(f"{path}: cannot read the card-info file ({e.strerror})") from e
    try:
        data = load_yaml(raw.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as e:
        first = str(e).splitlines()[0] if str(e) else type(e).__name__
        raise InputError(f"{path}: not UTF-8 YAML ({first})") from None
    if data is None:
        data = {}
    validator = jsonschema.Draft202012Validator(schemas.load("card_info"))
    errors = sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        where = "/".join(str(p) for p in e.absolute_path) or "(top)"
        raise UsageError(
            f"{path}: {where}: {e.message}; see schemas/card_info.schema.json for the fields"
        )
    return {"file": path.name, "sha256": hashlib.sha256(raw).hexdigest(), "data": data}


def missing_fields(info: dict[str, Any] | None) -> list[str]:
    """The expected fields left empty (or no card-info at all): warnings, never filled in."""
    data = (info or {}).get("data") or {}
    return [k for k in EXPECTED if not str(data.get(k) or "").strip()]
