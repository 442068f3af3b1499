"""Load a built release back with ``datasets.load_dataset``, offline, the way a user would."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from akhbar.corpus.release.manifest import load_manifest
from akhbar.schemas.errors import IntegrityError


def load_release(release: Path) -> dict[str, dict[str, int]]:
    """Every config's splits and row counts as ``datasets`` reads them.

    Loads offline into a temporary cache (nothing is left in the user's cache) and checks the
    counts against the manifest; a difference is an :class:`IntegrityError`.
    """
    os.environ["HF_HUB_OFFLINE"] = "1"
    import datasets

    datasets.config.HF_HUB_OFFLINE = True  # in case datasets was imported before
    manifest = load_manifest(release)
    loaded: dict[str, dict[str, int]] = {}
    with tempfile.TemporaryDirectory(prefix="akhbar-load-") as cache:
        for config, splits in manifest["configs"].items():
            if not any(s["rows"] for s in splits.values()):
                continue  # a config without rows is not in the card
            ds = datasets.load_dataset(str(release), config, cache_dir=cache)
            loaded[config] = {name: ds[name].num_rows for name in ds}
            want = {name: s["rows"] for name, s in splits.items() if s["rows"]}
            if loaded[config] != want:
                raise IntegrityError(
                    f"{release}: config {config} loads as {loaded[config]} but the manifest "
                    f"says {want}; run akhbar release verify {release}"
                )
    return loaded
