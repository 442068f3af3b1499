"""`akhbar corpus`: command line for the corpus stage (thin: parse, call the library, print)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from akhbar.cli.options import from_fields
from akhbar.corpus.config import CorpusBuildOptions


@click.group()
def corpus() -> None:
    """Commands of the corpus stage: build a clean, de-duplicated corpus and inspect it.

    \b
    Example:
      akhbar corpus build corpus/sample/raw --out build/corpus
    """


@corpus.command()
@from_fields(CorpusBuildOptions)
def build(**opts: Any) -> None:
    """Clean and de-duplicate raw articles (.txt, .json, .jsonl, .zip, .html files or
    directories of them) into a corpus store at DIR: articles.parquet, duplicates.parquet,
    rejected.jsonl and report.json. The store appears only when complete.

    \b
    Example:
      akhbar corpus build ../shared/data/saudinewsnet --out build/snn --workers 2
    """
    # imported when used: keeps `akhbar --help` fast
    from akhbar.corpus.pipeline import build_corpus

    out = opts["out"]
    report = build_corpus(CorpusBuildOptions(**opts))
    click.echo(summary(report, out))


@corpus.command()
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
def stats(directory: Path) -> None:
    """Summarise an existing corpus store: counts, top rejection reasons and rules, per source.

    \b
    Example:
      akhbar corpus stats build/corpus
    """
    from akhbar.corpus.store import load_corpus

    store = load_corpus(directory)
    click.echo(summary(store.report, directory))


def _table(rows: list[tuple[Any, ...]], header: tuple[str, ...]) -> list[str]:
    cells = [tuple(str(c) for c in header)] + [tuple(str(c) for c in r) for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    # numbers right-aligned, names (the first column of most tables) left-aligned
    left = bool(rows) and not isinstance(rows[0][0], int)
    fmt = "  ".join(("{:<%d}" if i == 0 and left else "{:>%d}") % w for i, w in enumerate(widths))
    return ["  " + fmt.format(*r) for r in cells]


def summary(report: dict[str, Any], out: Path, top: int = 5) -> str:
    """The end-of-build table: totals, top reasons and rules, and counts per source."""
    lines = [f"corpus at {out}"]
    lines += _table(
        [(report["input"], report["kept"], report["rejected"], report["duplicates"])],
        ("input", "kept", "rejected", "duplicates"),
    )
    kinds = report.get("duplicates_by_kind", {})
    lines.append(f"  duplicates: {kinds.get('exact', 0)} exact, {kinds.get('near', 0)} near")
    reasons = sorted(report.get("by_reason", {}).items(), key=lambda kv: (-kv[1], kv[0]))
    if reasons:
        lines.append("top rejection reasons:")
        lines += _table(reasons[:top], ("reason", "records"))
    rules = sorted(report.get("by_rule", {}).items(), key=lambda kv: (-kv[1]["records"], kv[0]))
    if rules:
        lines.append("top cleaning rules:")
        lines += _table(
            [(name, r["records"], r["applications"]) for name, r in rules[:top]],
            ("rule", "records", "applications"),
        )
    sources = report.get("by_source", {})
    if sources:
        lines.append("per source:")
        lines += _table(
            [
                (s, c["input"], c["kept"], c["rejected"], c["duplicates"])
                for s, c in sources.items()
            ],
            ("source", "input", "kept", "rejected", "duplicates"),
        )
    if "elapsed_s" in report:
        lines.append(f"built in {report['elapsed_s']:.1f} s")
    return "\n".join(lines)
