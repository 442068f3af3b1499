"""``akhbar release verify``: re-check a release against its own manifest and card."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from akhbar.corpus.errors import InputError
from akhbar.corpus.release.inputs import sha256_file
from akhbar.corpus.release.manifest import MANIFEST, list_files, load_manifest


def _card_yaml(path: Path) -> dict[str, Any] | None:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 4)
    if end < 0:
        return None
    data = yaml.safe_load(text[4 : end + 1])
    return data if isinstance(data, dict) else None


def verify_release(release: Path) -> list[str]:
    """One line per problem found; an empty list means the release is intact."""
    manifest = load_manifest(release)
    problems: list[str] = []
    files: dict[str, dict[str, Any]] = manifest.get("files", {})
    for rel, info in files.items():
        path = release / rel
        if not path.is_file():
            problems.append(f"{path}: missing")
            continue
        digest, size = sha256_file(path)
        if size != info["bytes"]:
            problems.append(f"{path}: {size} bytes, manifest says {info['bytes']}")
        if digest != info["sha256"]:
            problems.append(f"{path}: sha256 {digest[:12]}…, manifest says {info['sha256'][:12]}…")
        if "rows" in info:
            try:
                rows = pq.read_metadata(path).num_rows
            except (OSError, pa.ArrowException) as e:
                problems.append(f"{path}: not readable Parquet ({e})")
                continue
            if rows != info["rows"]:
                problems.append(f"{path}: {rows} rows, manifest says {info['rows']}")
    for p in list_files(release):
        rel = p.relative_to(release).as_posix()
        if rel not in files:
            problems.append(f"{p}: not listed in {MANIFEST}")

    for config, splits in manifest.get("configs", {}).items():
        for split, c in splits.items():
            total = sum(files.get(rel, {}).get("rows", 0) for rel in c["files"])
            if total != c["rows"]:
                problems.append(
                    f"{release / MANIFEST}: {config}/{split} has {c['rows']} rows, its files {total}"
                )

    card = release / "README.md"
    if card.is_file():
        problems += _check_card(release, card, manifest)
    return problems


def _check_card(release: Path, card: Path, manifest: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    try:
        meta = _card_yaml(card)
    except yaml.YAMLError as e:
        return [f"{card}: the YAML header does not parse ({str(e).splitlines()[0]})"]
    if meta is None:
        return [f"{card}: no YAML header"]
    infos = meta.get("dataset_info") or []
    if isinstance(infos, dict):
        infos = [infos]
    sizes = {
        (i.get("config_name", "default"), s["name"]): s["num_examples"]
        for i in infos
        for s in i.get("splits", [])
    }
    configs = manifest.get("configs", {})
    for (config, split), n in sizes.items():
        expected = configs.get(config, {}).get(split, {}).get("rows")
        if expected != n:
            problems.append(f"{card}: {config}/{split} num_examples {n}, the files hold {expected}")
    for config, splits in configs.items():
        for split, c in splits.items():
            if c["rows"] and (config, split) not in sizes:
                problems.append(f"{card}: {config}/{split} has {c['rows']} rows but no entry")
    for entry in meta.get("configs", []):
        for df in entry.get("data_files", []):
            paths = df["path"] if isinstance(df["path"], list) else [df["path"]]
            for rel in paths:
                if not (release / rel).is_file():
                    problems.append(f"{card}: data file {rel} of {entry['config_name']} is missing")
    return problems


def check_release_dir(release: Path) -> None:
    if not (release / MANIFEST).is_file():
        raise InputError(f"{release}: not a release directory (no {MANIFEST})")
