"""`akhbar studio`: a local Label Studio server (thin: parse, call the library, print)."""

from __future__ import annotations

from pathlib import Path

import click

from akhbar.annotation.labelstudio import server
from akhbar.cli.options import server_options


def _paths_options(f):
    f = click.option(
        "--venv",
        type=click.Path(path_type=Path),
        default=server.DEFAULT_VENV,
        show_default=True,
        help="Virtual environment for label-studio (created if missing).",
    )(f)
    f = click.option(
        "--settings",
        type=click.Path(path_type=Path),
        default=server.DEFAULT_SETTINGS,
        show_default=True,
        help="Where the URL, login and API token are kept (mode 0600).",
    )(f)
    f = click.option(
        "--data-dir",
        type=click.Path(path_type=Path, file_okay=False),
        default=server.DEFAULT_DATA_DIR,
        show_default=True,
        help="Label Studio's data: SQLite database, uploads, server.log, server.pid.",
    )(f)
    return f


# What a team on Label Studio's Community Edition must know (after the link, on stderr).
INVITE_NOTES = (
    "send it to each annotator: they sign up there and join this server's organisation",
    "Community Edition has no annotator role: everyone who signs up can see and change every "
    'task and annotation, so annotators work only through the project\'s "Label All Tasks" '
    "button (it hands each the next task and hides the others' work)",
    "a curator who opens the labelling stream just to look holds a task lock: the task is "
    "kept from the annotators for a while; look from the Data Manager's list instead",
    "give the adjudicator an account of its own (not an annotator's, not the admin's if the "
    'admin annotates): in a proposal\'s ⋮ menu, "Duplicate Annotation", edit, Submit; then '
    "`akhbar annotate resolve --project P` marks the resolutions ground truth",
)


@click.group()
def studio() -> None:
    """A local Label Studio server for annotators.

    Example: akhbar studio up --port 8080
    """


@studio.command()
@click.option("--port", type=int, default=None, help="Port on 127.0.0.1 (default 8080).")
@click.option("--username", default=None, help="Admin login (default admin@localhost).")
@click.option("--timeout", type=float, default=600.0, show_default=True, help="Seconds to wait.")
@_paths_options
def up(port, username, timeout, data_dir, settings, venv) -> None:
    """Start the server (installing it once), create the admin and an API token.

    Example: akhbar studio up --port 8080
    """
    paths = server.Paths(data_dir=data_dir, settings=settings, venv=venv)
    st = server.up(paths, port=port, username=username, timeout=timeout, echo=click.echo)
    for line in st.lines():
        click.echo(line)
    click.echo(f"open {st.url} and log in with the user and password in {st.settings}")


@studio.command()
@click.option("--timeout", type=float, default=30.0, show_default=True, help="Seconds to wait.")
@_paths_options
def down(timeout, data_dir, settings, venv) -> None:
    """Stop the server that `studio up` started, by its recorded pid.

    Example: akhbar studio down
    """
    pid = server.down(server.Paths(data_dir=data_dir, settings=settings, venv=venv), timeout)
    click.echo(f"stopped Label Studio (pid {pid})" if pid else "Label Studio was not running")


@studio.command()
@_paths_options
def status(data_dir, settings, venv) -> None:
    """Print URL, pid, health, version and the (masked) token.

    Example: akhbar studio status
    """
    for line in server.status(
        server.Paths(data_dir=data_dir, settings=settings, venv=venv)
    ).lines():
        click.echo(line)


@studio.command()
@server_options
def invite(connect) -> None:
    """Print the sign-up link for teammates (the organisation's invite link).

    Example: akhbar studio invite
    """
    from akhbar.annotation.labelstudio import client, team_calls

    with client.Client.connect(connect()) as c:
        link = team_calls.invite_link(c)
    click.echo(link)
    for line in INVITE_NOTES:
        click.echo(line, err=True)
