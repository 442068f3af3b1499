"""`akhbar demo`: the whole pipeline on the bundled sample (thin: parse, call the library, print)."""

from __future__ import annotations

from pathlib import Path

import click

from akhbar.cli.options import out_option


@click.command("demo")
@out_option(
    "Where everything goes; emptied first if an earlier demo made it.",
    dest="out",
    default=Path("build/demo"),
)
@click.option(
    "--offline",
    is_flag=True,
    help="No Label Studio: validate the bundled export corpus/sample/labelstudio_export.json.",
)
@click.option("--port", type=int, default=None, help="Port of the local Label Studio (8080).")
@click.option("--project", default="akhbar demo", show_default=True, help="Project title.")
@click.option(
    "--fresh",
    is_flag=True,
    help="Delete the demo project first and import the bundled annotations again.",
)
@click.option("--url", default=None, help="Use this Label Studio server instead of a local one.")
@click.option("--api-key", default=None, help="API token for --url.")
def demo(
    out: Path,
    offline: bool,
    port: int | None,
    project: str,
    fresh: bool,
    url: str | None,
    api_key: str | None,
) -> None:
    """Run the whole pipeline on the bundled sample: corpus, Label Studio, validate, release,
    load with datasets; print what each stage made and where to look.

    Example: akhbar demo --out build/demo
    """
    from akhbar.cli.demo import run_demo

    summary = run_demo(
        out,
        offline,
        port=port,
        url=url,
        api_key=api_key,
        project=project,
        fresh=fresh,
        echo=lambda line: click.echo(f"… {line}", err=True),
    )
    for line in summary.lines():
        click.echo(line)
