"""Alias of :mod:`akhbar.schemas.errors`, where the exception tree lives (at the bottom, so that
every layer raises the same classes). Import from there; this name stays for code in flight."""

from akhbar.schemas.errors import (  # noqa: F401
    AkhbarError,
    InputError,
    IntegrityError,
    OutputError,
    UsageError,
)
