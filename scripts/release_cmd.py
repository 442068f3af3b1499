"""`akhbar release`: command line for the release stage (thin: parse, call the library, print)."""

from __future__ import annotations

import click


@click.group()
def release() -> None:
    """Commands of the release stage."""
