"""`akhbar annotate`: command line for the annotate stage (thin: parse, call the library, print)."""

from __future__ import annotations

import click


@click.group()
def annotate() -> None:
    """Commands of the annotate stage."""
