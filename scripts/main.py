"""The ``akhbar`` command line.

Each command group lives in its own module; this one only assembles them and turns the
library's narrow exceptions into one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import errno
import sys

import click

from akhbar.cli.lazy_group import LazyGroup
from akhbar.corpus import __version__
from akhbar.corpus.runtime.executor import Terminated, handle_sigterm
from akhbar.schemas.errors import AkhbarError

# Each group's module is imported when it is run (a command pays only for its own stage).
COMMANDS = {
    "corpus": "akhbar.cli.corpus_cmd:corpus",
    "studio": "akhbar.cli.studio_cmd:studio",
    "annotate": "akhbar.cli.annotate_cmd:annotate",
    "release": "akhbar.cli.release_cmd:release",
    "demo": "akhbar.cli.demo_cmd:demo",
    "suggest": "akhbar.cli.suggest_cmd:suggest",
}


@click.group(cls=LazyGroup, lazy=COMMANDS, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="akhbar")
def cli() -> None:
    """akhbar: clean Arabic news into a corpus, annotate it in Label Studio, validate the
    annotations and release versioned Hugging Face datasets.

    Example: akhbar corpus build corpus/sample/raw --out build/corpus
    """


# Out of room: no space, quota exceeded, or over the file size limit.
_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


def main(argv: list[str] | None = None) -> None:
    """Entry point: a known failure is one line on stderr and exit 2, never a traceback."""
    try:
        # SIGTERM unwinds like Ctrl-C: temporaries removed, workers stopped. Outside standalone
        # mode click returns a command's ctx.exit(code) instead of exiting.
        with handle_sigterm():
            code = cli.main(args=argv, prog_name="akhbar", standalone_mode=False)
    except click.exceptions.Abort:  # click's name for a KeyboardInterrupt it caught
        click.echo("akhbar: interrupted", err=True)
        sys.exit(130)
    except click.ClickException as e:
        e.show()
        sys.exit(e.exit_code)
    except AkhbarError as e:
        click.echo(f"akhbar: error: {e}", err=True)
        sys.exit(2)
    except KeyboardInterrupt:
        click.echo("akhbar: interrupted", err=True)
        sys.exit(130)
    except Terminated:
        click.echo("akhbar: terminated", err=True)
        sys.exit(143)
    except BrokenPipeError:
        sys.exit(1)
    except OSError as e:
        if e.errno not in _FULL:
            raise
        # Every output is published atomically: what was being written is discarded.
        click.echo(
            f"akhbar: error: {e.filename or 'an output'}: {e.strerror}; nothing was written; "
            "free some space (or raise the file size limit) and run again",
            err=True,
        )
        sys.exit(2)
    if isinstance(code, int) and code:
        sys.exit(code)


if __name__ == "__main__":
    main()
