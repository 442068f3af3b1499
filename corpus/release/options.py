"""The options of the release commands that take them from fields (``akhbar.cli.options``
generates the command lines): a module of its own and light, because the command line imports
it at start-up while the release library (``datasets``, ``matplotlib``) is imported only when a
release command runs."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from akhbar.corpus.runtime.option_fields import opt


@dataclass
class LoadOptions:
    """What ``akhbar release load`` is asked to do (see :func:`load_ref`)."""

    release: str = opt(
        "A release directory, or OWNER/NAME of a dataset repository on the Hub.",
        argument=True,
        metavar="RELEASE_REF",
    )
    verify: bool = opt(
        "Verify the release before loading it (--no-verify loads a local one anyway).",
        True,
        negatable=True,
    )
    revision: str | None = opt(
        "With OWNER/NAME: the tag (vX.Y.Z), branch or commit to load from the Hub.", None
    )
    endpoint: str | None = opt("Hub endpoint (default: HF_ENDPOINT or the Hub).", None)


@dataclass
class PublishOptions:
    """What ``akhbar release publish`` is asked to do (see ``hub.publish_release``)."""

    release: Path = opt(
        "The release directory (releases/vX.Y.Z).", argument=True, metavar="RELEASE_DIR"
    )
    repo: str = opt("Dataset repository on the Hub, OWNER/NAME.")
    endpoint: str | None = opt("Hub endpoint (default: HF_ENDPOINT or the Hub).", None)
    private: bool = opt("Create the repository private (if it is new).", False)
    branch: str = opt("Branch to commit to.", "main", show_default=True)
