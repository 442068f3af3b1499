"""`akhbar release`: command line for the release stage (thin: parse, call the library, print)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from akhbar.cli.options import from_fields
from akhbar.corpus.release.options import BuildOptions, LoadOptions, PublishOptions

# The release library imports ``datasets`` and ``matplotlib``; they are imported inside the
# commands so that every other ``akhbar`` command starts fast.


@click.group()
def release() -> None:
    """Build, verify and compare versioned Hugging Face dataset releases.

    Example: akhbar release build --version 1.0.0 --corpus build/corpus --documents build/validated
    """


@release.command("build")
@from_fields(BuildOptions)
def build_cmd(**opts) -> None:
    """Build OUT/vX.Y.Z: Parquet configs, dataset card, manifest, Croissant, changelog.

    Example: akhbar release build --version 1.0.0 --corpus build/corpus
    --documents build/validated --out releases
    """
    from akhbar.corpus.release.build import build_release

    result = build_release(BuildOptions(**opts))
    since = f" (previous: v{result.previous})" if result.previous else " (first release)"
    click.echo(f"built {result.path}{since}")
    for config, splits in result.rows.items():
        click.echo(f"  {config}: " + ", ".join(f"{s} {n}" for s, n in splits.items()))
    click.echo(
        f"  {result.released} articles released, {result.without_document} without a document"
    )
    for w in result.warnings:
        click.echo(f"  warning: {w}")


@release.command("verify")
@click.argument("release_dir", type=click.Path(path_type=Path))
@click.option(
    "--index",
    type=click.Path(path_type=Path),
    default=None,
    help="Release index holding the manifest's digest (default: index.json beside the release).",
)
@click.option("--no-index", is_flag=True, help="Do not check the manifest against an index.")
def verify_cmd(release_dir: Path, index: Path | None, no_index: bool) -> None:
    """Re-check every checksum, size and row count of a release, each article's split, its
    licence, and the manifest against the release index; exit 1 on any problem.

    Example: akhbar release verify releases/v1.0.0
    """
    from akhbar.corpus.release.verify import check_release_dir, verify_release

    check_release_dir(release_dir)
    problems = verify_release(release_dir, index, use_index=not no_index)
    for p in problems:
        click.echo(p)
    if problems:
        sys.exit(1)
    click.echo(f"ok: {release_dir}: every file and claim matches the manifest")


@release.command("diff")
@click.argument("old")
@click.argument("new")
@click.option(
    "--releases",
    type=click.Path(path_type=Path),
    default=Path("releases"),
    show_default=True,
    help="Where to look up releases given by version.",
)
def diff_cmd(old: str, new: str, releases: Path) -> None:
    """Print the changelog between two releases (versions or directories).

    Example: akhbar release diff 1.0.0 1.1.0
    """
    from akhbar.corpus.release.changelog import diff as diff_changelog
    from akhbar.corpus.release.versions import resolve_release

    text = diff_changelog(resolve_release(old, releases), resolve_release(new, releases))
    click.echo(text, nl=False)


@release.command("load")
@from_fields(LoadOptions)
def load_cmd(**opts) -> None:
    """Verify a release, then load every config with datasets.load_dataset (offline); print
    the splits and a line of Python that loads each config. RELEASE_REF is a release
    directory, or OWNER/NAME of a dataset repository on the Hub (downloaded at --revision,
    verified, then loaded).

    Example: akhbar release load releases/v1.0.0
    """
    from akhbar.corpus.release.load import NotVerified, load_ref
    from akhbar.schemas.errors import IntegrityError

    try:
        loaded = load_ref(LoadOptions(**opts))
    except NotVerified as e:
        for p in e.problems:
            click.echo(p, err=True)
        click.echo(f"akhbar: error: {e}", err=True)
        sys.exit(1)
    except IntegrityError as e:  # a damaged release: as for one that does not verify, exit 1
        click.echo(f"akhbar: error: {e}", err=True)
        sys.exit(1)
    for config, splits in loaded.splits.items():
        click.echo(f"{config}: " + ", ".join(f"{s} {n}" for s, n in splits.items()))
        if loaded.local is not None:
            click.echo(
                f"    from datasets import load_dataset; ds = load_dataset("
                f"{str(loaded.local)!r}, {config!r})"
            )


@release.command("publish")
@from_fields(PublishOptions)
def publish_cmd(**opts) -> None:
    """Publish a verified release to a Hugging Face dataset repository as one commit tagged
    vX.Y.Z, then download the tag and verify it. The token comes from HF_TOKEN or the stored
    Hugging Face login (`hf auth login`), never from the command line.

    Example: akhbar release publish releases/v1.0.0 --repo my-org/akhbar-conflict
    """
    from akhbar.corpus.release.hub import publish_release

    result = publish_release(PublishOptions(**opts), log=click.echo)
    state = "published" if result.published else "already published"
    click.echo(f"{state}: {result.url}")
    click.echo(f"  commit {result.commit}")
    click.echo(f"  tag    {result.tag}")
