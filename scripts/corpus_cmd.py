"""`akhbar corpus`: command line for the corpus stage (thin: parse, call the library, print)."""

from __future__ import annotations

import click


@click.group()
def corpus() -> None:
    """Commands of the corpus stage."""
