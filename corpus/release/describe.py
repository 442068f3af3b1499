"""What ``release build`` adds to a release to describe it: where its texts and annotations
came from (``origin``), the curator's card-info, the cleaning rules applied, ``GUIDELINES.md``
(from the taxonomy), and the offline check of the card's Hub metadata."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from akhbar.corpus.release.card_spec import check_card_metadata
from akhbar.corpus.release.options import BuildOptions
from akhbar.corpus.release.origin import count_origin
from akhbar.corpus.release.plan import Plan
from akhbar.schemas.errors import IntegrityError, UsageError
from akhbar.schemas.guidelines import guidelines_markdown
from akhbar.schemas.yaml_safe import load_yaml

GUIDELINES = "GUIDELINES.md"


def release_license(option: str, info: dict[str, Any] | None) -> str:
    """``--license``, or the card-info's ``license``; the two may not disagree."""
    given = ((info or {}).get("data") or {}).get("license")
    if not given:
        return option
    if option not in ("other", given):
        raise UsageError(
            f"--license {option} but the card-info file {info['file']} says {given}; give one"
        )
    return given


def describe_origin(
    manifest: dict[str, Any], opts: BuildOptions, plan: Plan, tmp: Path, info: dict | None
) -> None:
    """Record origin, card-info, cleaning and the guidelines in ``manifest``; write
    ``GUIDELINES.md`` into the release at ``tmp``."""
    manifest["origin"] = count_origin(
        opts.documents / "documents.jsonl", plan.corpus, plan.doc_index.locations
    )
    if info is not None:
        manifest["card_info"] = info
    rules = _cleaning_rules(plan.corpus / "report.json")
    if rules:
        manifest["cleaning"] = {"rules": rules}
    text = guidelines_markdown(plan.labels).encode("utf-8")
    (tmp / GUIDELINES).write_bytes(text)
    manifest["guidelines"] = {"file": GUIDELINES, "sha256": hashlib.sha256(text).hexdigest()}


def _cleaning_rules(report: Path) -> dict[str, int]:
    """Counts per cleaning rule from the corpus store's report, when it has them."""
    try:
        data = json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    rules = data.get("by_rule") if isinstance(data, dict) else None
    if not isinstance(rules, dict):
        return {}
    return {str(k): v for k, v in sorted(rules.items()) if isinstance(v, int) and v}


def card_metadata(card: Path) -> Any:
    text = card.read_text(encoding="utf-8")
    if not text.startswith("---\n") or "\n---\n" not in text[3:]:
        return None
    return load_yaml(text[4 : text.index("\n---\n", 3) + 1])


def check_card(card: Path) -> None:
    """The Hub's card specification, offline: one line naming the first bad field."""
    problems = check_card_metadata(card_metadata(card))
    if problems:
        raise IntegrityError(
            f"{card.name}: {problems[0]}"
            + (f" (and {len(problems) - 1} more)" if len(problems) > 1 else "")
        )
