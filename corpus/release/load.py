"""Load a built release back with ``datasets.load_dataset``, offline, the way a user would.

``akhbar release load`` and the demo both load through :func:`load_datasets`, which checks the
rows of every split against the manifest.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akhbar.corpus.release.manifest import MANIFEST, load_manifest
from akhbar.corpus.release.options import LoadOptions
from akhbar.schemas.errors import InputError, IntegrityError
from akhbar.schemas.shape import check_shape


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
    # A damaged file is reported in one line of ours (see _damage), not in datasets' log too.
    verbosity = datasets.logging.get_verbosity()
    datasets.logging.set_verbosity(datasets.logging.CRITICAL)
    try:
        yield datasets
    finally:
        datasets.logging.set_verbosity(verbosity)
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
    manifest = check_shape(
        load_manifest(release), "release_manifest", str(release / MANIFEST), InputError
    )
    loaded: dict[str, Any] = {}
    with _hub_offline() as datasets:
        for config, splits in manifest["configs"].items():
            if not any(s["rows"] for s in splits.values()):
                continue  # a config without rows has no data files: it is not in the card
            files = [release / rel for split in splits.values() for rel in split["files"]]
            try:
                ds = datasets.load_dataset(str(release), config, cache_dir=str(cache_dir))
            except Exception as e:  # datasets wraps a damaged file in errors of its own
                raise IntegrityError(_damage(release, config, files, e)) from e
            got = {name: ds[name].num_rows for name in ds}
            want = {name: s["rows"] for name, s in splits.items() if s["rows"]}
            if got != want:
                raise IntegrityError(
                    f"{release}: config {config} loads as {got} but the manifest says {want}; "
                    f"run akhbar release verify {release}"
                )
            loaded[config] = ds
    return loaded


def _damage(release: Path, config: str, files: list[Path], error: Exception) -> str:
    """One line naming the file that cannot be read (found by reading each with pyarrow)."""
    import pyarrow.parquet as pq

    for path in files:
        try:
            pq.ParquetFile(path).read()
        except Exception as e:  # whatever pyarrow says, the file is damaged
            reason = " ".join(str(e).split())[:160]
            return (
                f"{path}: not a readable Parquet file ({reason}); the release is damaged, "
                f"run akhbar release verify {release}"
            )
    reason = " ".join(str(error).split())[:160]
    return f"{release}: config {config} cannot be loaded ({type(error).__name__}: {reason})"


def load_release(release: Path) -> dict[str, dict[str, int]]:
    """Every config's splits and row counts as ``datasets`` reads them, loaded into a temporary
    cache (nothing is left in the user's cache)."""
    with tempfile.TemporaryDirectory(prefix="akhbar-load-") as cache:
        return {
            config: {name: dd[name].num_rows for name in dd}
            for config, dd in load_datasets(release, Path(cache)).items()
        }


class NotVerified(IntegrityError):
    """The release does not verify; ``problems`` says why, one line each."""

    def __init__(self, release: Path, problems: list[str]) -> None:
        super().__init__(
            f"{release} does not verify ({len(problems)} problem(s)); not loaded (--no-verify "
            "loads it anyway)"
        )
        self.problems = problems


@dataclass
class Loaded:
    """What :func:`load_ref` loaded: config -> split -> rows, and from where."""

    splits: dict[str, dict[str, int]] = field(default_factory=dict)
    local: Path | None = None  # the release directory; None for a release from the Hub


def load_ref(opts: LoadOptions) -> Loaded:
    """``akhbar release load``: verify a release (a directory, or ``OWNER/NAME`` on the Hub,
    downloaded at ``revision``), then load every config as ``datasets.load_dataset`` does.
    A release that does not verify raises :class:`NotVerified`; one that verifies but cannot
    be loaded, :class:`IntegrityError`."""
    from akhbar.corpus.release.verify import check_release_dir, verify_release

    path = Path(opts.release)
    if not path.exists() and opts.release.count("/") == 1 and opts.verify:
        from akhbar.corpus.release.hub import load_published

        return Loaded(load_published(opts.release, opts.revision or "main", endpoint=opts.endpoint))
    check_release_dir(path)
    if opts.verify:
        problems = verify_release(path)
        if problems:
            raise NotVerified(path, problems)
    return Loaded(load_release(path), path.resolve())
