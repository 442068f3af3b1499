"""`akhbar studio`: command line for the studio stage (thin: parse, call the library, print)."""

from __future__ import annotations

import click


@click.group()
def studio() -> None:
    """Commands of the studio stage."""
