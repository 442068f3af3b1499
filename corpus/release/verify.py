"""``akhbar release verify``: re-check a release against its own manifest and card, and the
manifest against the digest kept outside it (``index.py``).

Besides every file's checksum, size and row count, the manifest's claims are checked against
the data: rows per config and split, each article's split (from the ``documents`` config),
the article counts, and the licence against the card. A manifest with a key missing or of the
wrong type is a problem line, never a traceback.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import yaml

from akhbar.corpus.file_digest import sha256_file
from akhbar.corpus.release.index import check_manifest_digest, index_path
from akhbar.corpus.release.manifest import MANIFEST, iter_articles, list_files, load_manifest
from akhbar.schemas.errors import InputError
from akhbar.schemas.yaml_safe import load_yaml

# The keys ``verify`` relies on, with their JSON types.
_SHAPE = {"version": str, "license": str, "configs": dict, "files": dict, "counts": dict}


def _card_yaml(path: Path) -> dict[str, Any] | None:
    text = path.read_text(encoding="utf-8")
    if not text.startswith("---\n"):
        return None
    end = text.find("\n---\n", 4)
    if end < 0:
        return None
    data = load_yaml(text[4 : end + 1])
    return data if isinstance(data, dict) else None


def verify_release(release: Path, index: Path | None = None, use_index: bool = True) -> list[str]:
    """One line per problem found; an empty list means the release is intact.

    ``index`` is the release index to check the manifest against (default: the ``index.json``
    beside the release); ``use_index=False`` skips that check."""
    manifest = load_manifest(release)
    where = release / MANIFEST
    problems = _shape_problems(manifest, where)
    if problems:
        return problems
    if use_index:
        problems += check_manifest_digest(
            release, manifest["version"], index or index_path(release)
        )
    files: dict[str, dict[str, Any]] = manifest["files"]
    problems += _check_files(release, files)
    for config, splits in manifest["configs"].items():
        for split, c in splits.items():
            total = sum(files.get(rel, {}).get("rows", 0) for rel in c["files"])
            if total != c["rows"]:
                problems.append(
                    f"{where}: {config}/{split} has {c['rows']} rows, its files {total}"
                )
    problems += _check_articles(release, manifest)
    card = release / "README.md"
    if card.is_file():
        problems += _check_card(release, card, manifest)
    return problems


def _shape_problems(manifest: dict[str, Any], where: Path) -> list[str]:
    problems = [
        f"{where}: key {key!r} is missing or not {kind.__name__}; the manifest is damaged, "
        "rebuild the release"
        for key, kind in _SHAPE.items()
        if not isinstance(manifest.get(key), kind)
    ]
    if problems:
        return problems
    for rel, info in manifest["files"].items():
        if not (isinstance(info, dict) and isinstance(info.get("sha256"), str)):
            problems.append(f"{where}: files.{rel} has no sha256; the manifest is damaged")
        elif not isinstance(info.get("bytes"), int) or not isinstance(info.get("rows", 0), int):
            problems.append(f"{where}: files.{rel} has no byte size or row count")
    for config, splits in manifest["configs"].items():
        for split, c in splits.items() if isinstance(splits, dict) else [(None, None)]:
            if not (isinstance(c, dict) and isinstance(c.get("rows"), int)) or not isinstance(
                c.get("files"), list
            ):
                problems.append(f"{where}: configs.{config}.{split} lacks rows or files")
    return problems


def _check_files(release: Path, files: dict[str, dict[str, Any]]) -> list[str]:
    problems: list[str] = []
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
    return problems


def _check_articles(release: Path, manifest: dict[str, Any]) -> list[str]:
    """Each article's split in the manifest against the ``documents`` config, and the counts."""
    where = release / MANIFEST
    found: dict[str, str] = {}
    for split, c in manifest["configs"].get("documents", {}).items():
        for rel in c["files"]:
            try:
                ids = pq.read_table(release / rel, columns=["id"]).column("id").to_pylist()
            except (OSError, pa.ArrowException, KeyError):
                continue  # reported by the file checks
            found.update(dict.fromkeys(ids, split))
    problems: list[str] = []
    listed = 0
    try:
        for aid, info in iter_articles(release):
            listed += 1
            split = info.get("split") if isinstance(info, dict) else None
            if aid in found and found[aid] != split:
                problems.append(
                    f"{where}: article {aid} is in split {split}, the documents data has it in "
                    f"{found[aid]}"
                )
    except InputError as e:
        return [str(e)]
    released = manifest["counts"].get("released_articles")
    if released != listed:
        problems.append(f"{where}: counts.released_articles is {released}, it lists {listed}")
    if found and len(found) != listed:
        problems.append(f"{where}: lists {listed} articles, the documents data holds {len(found)}")
    return problems


def _check_card(release: Path, card: Path, manifest: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    try:
        meta = _card_yaml(card)
    except yaml.YAMLError as e:
        return [f"{card}: the YAML header does not parse ({str(e).splitlines()[0]})"]
    if meta is None:
        return [f"{card}: no YAML header"]
    if meta.get("license") != manifest["license"]:
        problems.append(
            f"{card}: licence {meta.get('license')!r}, the manifest says {manifest['license']!r}"
        )
    infos = meta.get("dataset_info") or []
    if isinstance(infos, dict):
        infos = [infos]
    sizes = {
        (i.get("config_name", "default"), s["name"]): s["num_examples"]
        for i in infos
        for s in i.get("splits", [])
    }
    configs = manifest["configs"]
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
    """Refuse a folder that is not a release, naming the releases inside it when there are
    some (``releases/`` given for ``releases/v1.0.0``)."""
    if (release / MANIFEST).is_file():
        return
    inside = (
        sorted(p for p in release.iterdir() if (p / MANIFEST).is_file()) if release.is_dir() else []
    )
    hint = ""
    if inside:
        hint = (
            f"; the releases in it: {', '.join(p.name for p in inside)} (e.g. akhbar release "
            f"load {inside[-1]})"
        )
    raise InputError(f"{release}: not a release directory (no {MANIFEST}){hint}")
