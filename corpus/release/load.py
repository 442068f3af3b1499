"""Load a built release back with ``datasets.load_dataset``, offline, the way a user would.

``akhbar release load`` and the demo both load through :func:`load_datasets`, which checks the
rows of every split against the manifest.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from akhbar.corpus.release.manifest import load_manifest
from akhbar.schemas.errors import IntegrityError


@contextlib.contextmanager
def _hub_offline() -> Iterator[Any]:
    """``datasets`` with HF_HUB_OFFLINE=1 and no progress bars; restored afterwards."""
    before = os.environ.get("HF_HUB_OFFLINE")
    os.environ["HF_HUB_OFFLINE"] = "1"  # read when datasets is first imported
    import datasets
    import huggingface_hub.constants

    saved = (datasets.config.HF_HUB_OFFLINE, huggingface_hub.constants.HF_HUB_OFFLINE)
    bars = datasets.are_progress_bars_disabled()
    datasets.config.HF_HUB_OFFLINE = huggingface_hub.constants.HF_HUB_OFFLINE = True
    datasets.disable_progress_bars()
    try:
        yield datasets
    finally:
        datasets.config.HF_HUB_OFFLINE, huggingface_hub.constants.HF_HUB_OFFLINE = saved
        if not bars:
            datasets.enable_progress_bars()
        if before is None:
            os.environ.pop("HF_HUB_OFFLINE", None)
        else:
            os.environ["HF_HUB_OFFLINE"] = before


def load_datasets(release: Path, cache_dir: Path) -> dict[str, Any]:
    """config -> ``DatasetDict`` of every config with rows, loaded offline into ``cache_dir``;
    a split whose rows differ from the manifest's is an :class:`IntegrityError`."""
    manifest = load_manifest(release)
    loaded: dict[str, Any] = {}
    with _hub_offline() as datasets:
        for config, splits in manifest["configs"].items():
            if not any(s["rows"] for s in splits.values()):
                continue  # a config without rows has no data files: it is not in the card
            ds = datasets.load_dataset(str(release), config, cache_dir=str(cache_dir))
            got = {name: ds[name].num_rows for name in ds}
            want = {name: s["rows"] for name, s in splits.items() if s["rows"]}
            if got != want:
                raise IntegrityError(
                    f"{release}: config {config} loads as {got} but the manifest says {want}; "
                    f"run akhbar release verify {release}"
                )
            loaded[config] = ds
    return loaded


def load_release(release: Path) -> dict[str, dict[str, int]]:
    """Every config's splits and row counts as ``datasets`` reads them, loaded into a temporary
    cache (nothing is left in the user's cache)."""
    with tempfile.TemporaryDirectory(prefix="akhbar-load-") as cache:
        return {
            config: {name: dd[name].num_rows for name in dd}
            for config, dd in load_datasets(release, Path(cache)).items()
        }
