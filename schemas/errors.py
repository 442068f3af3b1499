"""A small exception tree: the class tells the caller what to do."""


class AkhbarError(Exception):
    """Base class. ``str(err)`` is a one-line message naming what, where, and the fix."""


class UsageError(AkhbarError):
    """Bad arguments or configuration: fix the command line or the config file."""


class InputError(AkhbarError):
    """An input file cannot be read at all (the run cannot go on without it)."""


class OutputError(AkhbarError):
    """The output location cannot be written, or would overwrite something immutable."""


class IntegrityError(AkhbarError):
    """Stored data disagrees with what was promised (a checksum, a count, a text)."""
