"""`akhbar annotate pull`: a project's annotations as a new immutable snapshot."""

from __future__ import annotations

import click

from akhbar.annotation import pull
from akhbar.cli.options import from_fields, server_options


@click.command("pull")
@from_fields(pull.PullOptions)
@server_options
def pull_cmd(connect, **opts) -> None:
    """Pull the project as a new immutable snapshot plus manifest: only what changed since the
    latest snapshot of it in --out (merged into a whole one), or its full JSON export.

    Example: akhbar annotate pull --project news-2026 --out build/snapshots
    """
    snap = pull.pull_project(connect(), pull.PullOptions(**opts))
    for line in snap.lines():
        click.echo(line)
