"""The options of the release commands, taken from fields (``akhbar.cli.options``
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


@dataclass(slots=True)
class BuildOptions:
    """What ``akhbar release build`` is asked to do (see ``build.build_release``)."""

    version: str = opt("Semantic version, e.g. 1.0.0.")
    corpus: Path = opt()
    documents: Path = opt("Validated documents (the --out of akhbar annotate validate).")
    out: Path = opt("Directory of releases; the release goes to OUT/vX.Y.Z.", Path("releases"))
    taxonomy: Path | None = opt(
        "Taxonomy the documents were validated with (default: the bundled one).", None
    )
    resplit: bool = opt("Allow articles to change split.", False)
    ratios: str | None = opt(
        "train,validation,test shares for articles without a recorded split (finite, "
        "non-negative, summing to 1), e.g. 0.8,0.1,0.1 or 0,0,1.",
        None,
    )
    previous: str | None = opt("Previous release (version or directory).", None)
    workers: int = opt(
        "Processes converting and writing parts (0: one per core, 1: this process only).", 0
    )
    license: str = opt("Hub licence id.", "other")
    part_size: int = opt(
        "Articles per part; each part is one Parquet file per config and split.", 4096, min=1
    )  # one task for a worker
    chunk_size: int = 256  # articles converted at once within a part
    agreement: Path | None = opt(
        "Agreement (the --out of akhbar annotate agreement): copied in, described in the card.",
        None,
        file_okay=False,
    )
    audit: Path | None = opt(
        "Audit (the --out of akhbar annotate audit): its counts in the manifest, a Known "
        "issues section in the card.",
        None,
        file_okay=False,
    )
    card_info: Path | None = opt(
        "YAML with the citation, licence, attribution, intended uses, maintainer, contact and "
        "source dataset (schemas/card_info.schema.json); recorded in the manifest.",
        None,
        dir_okay=False,
    )  # read by card_info.py
