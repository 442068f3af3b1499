"""Command-line options, declared once.

A command's options come from its stage's options dataclass (:func:`from_fields`; the fields
say their help, see :mod:`akhbar.corpus.runtime.option_fields`); the command's function receives them
as keyword arguments named like the fields and passes them on whole. What several commands
share is spelled once here:

- ``--corpus DIR``: a corpus store (the ``--out`` of ``akhbar corpus build``);
- ``--taxonomy NAME|FILE``: a taxonomy (default: the bundled ace-ar-conflict);
- ``--workers N``: processes; 0 = one per core (small inputs are then done in this process),
  1 = this process only; a negative number is refused;
- ``--out DIR``: where the command's output is published, whole or not at all;
- ``--force``: replace an earlier output of the same command at ``--out`` (never anything else);
- ``--url``, ``--api-key``, ``--settings``: the Label Studio server (:func:`server_options`).
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

F = TypeVar("F", bound=Callable[..., Any])

# Shared by name: the spelling of an option that several commands have (help may be overridden
# by the field's own).
SHARED: dict[str, dict[str, Any]] = {
    "corpus": {"metavar": "DIR", "help": "Corpus store (the --out of akhbar corpus build)."},
    "taxonomy": {
        "metavar": "FILE",
        "help": "Taxonomy: a bundled one's name or a file (default: the bundled ace-ar-conflict).",
    },
    "workers": {"metavar": "N", "min": 0, "help": "Processes (0: one per core, 1: this process)."},
    "out": {"metavar": "DIR"},
    "force": {"help": "Replace an earlier output of this command at --out (never anything else)."},
    "progress": {"negatable": True, "help": "Show a progress bar."},
}


def _click_type(annotation: str, spec: dict[str, Any]) -> Any:
    if "choices" in spec:
        return click.Choice(list(spec["choices"]))
    if "Path" in annotation:
        return click.Path(
            path_type=Path,
            exists=spec.get("exists", False),
            file_okay=spec.get("file_okay", True),
            dir_okay=spec.get("dir_okay", True),
        )
    base = annotation.split("|")[0].strip()
    if base in ("int", "float"):
        kind = int if base == "int" else float
        if "min" in spec or "max" in spec:
            bounded = click.IntRange if kind is int else click.FloatRange
            return bounded(min=spec.get("min"), max=spec.get("max"))
        return kind
    return str


def _param(f: dataclasses.Field) -> Callable[[F], F]:
    spec = {**SHARED.get(f.name, {}), **{k: v for k, v in f.metadata["cli"].items() if v != ""}}
    annotation = str(f.type)
    kind = _click_type(annotation, spec)
    if spec.get("argument"):
        nargs = spec.get("nargs", 1)
        return click.argument(
            f.name,
            type=kind,
            nargs=nargs,
            required=spec.get("required", True),
            metavar=spec.get("metavar"),
        )
    has_default = f.default is not dataclasses.MISSING or f.default_factory is not (
        dataclasses.MISSING
    )
    default = f.default if f.default is not dataclasses.MISSING else None
    default = spec.get("cli_default", default)  # where the command line's differs
    flag = spec.get("flag") or "--" + f.name.rstrip("_").replace("_", "-")
    common = {"help": spec.get("help"), "hidden": spec.get("hidden", False)}
    if spec.get("multiple"):  # repeatable: the field gets a tuple of the values given
        return click.option(
            flag, f.name, type=kind, multiple=True, metavar=spec.get("metavar"), **common
        )
    if "flag_value" in spec:  # a switch that sets a value, e.g. --no-near-dup sets near=False
        return click.option(flag, f.name, flag_value=spec["flag_value"], default=default, **common)
    if annotation.startswith("bool"):
        if spec.get("negatable"):
            name = flag.removeprefix("--")
            return click.option(f"--{name}/--no-{name}", f.name, default=default, **common)
        return click.option(flag, f.name, is_flag=True, default=bool(default), **common)
    if not has_default:  # click 8.3 takes an explicit default=None as a value given
        return click.option(
            flag, f.name, type=kind, required=True, metavar=spec.get("metavar"), **common
        )
    show = spec.get("show_default", default is not None)
    return click.option(
        flag,
        f.name,
        type=kind,
        default=default,
        show_default=show,
        metavar=spec.get("metavar"),
        **common,
    )


def from_fields(cls: type, *, skip: tuple[str, ...] = ()) -> Callable[[F], F]:
    """The options (and arguments) of ``cls``'s fields declared with ``opt``, in field order."""

    def decorate(fn: F) -> F:
        for f in reversed(dataclasses.fields(cls)):
            if "cli" in f.metadata and f.name not in skip:
                fn = _param(f)(fn)
        return fn

    return decorate


def server_options(fn: F) -> F:
    """``--url``, ``--api-key`` and ``--settings``; the command receives ``connect``, which
    resolves them into a Connection when called (a command that may not need the server
    never reads the settings)."""
    from akhbar.annotation.labelstudio.server import DEFAULT_SETTINGS

    @click.option(
        "--url", default=None, help="An existing Label Studio server; env LABEL_STUDIO_URL."
    )
    @click.option(
        "--api-key", default=None, help="API token (legacy or personal); env LABEL_STUDIO_API_KEY."
    )
    @click.option(
        "--settings",
        type=click.Path(path_type=Path, dir_okay=False),
        default=DEFAULT_SETTINGS,
        show_default=True,
        help="Settings of the local server (`akhbar studio up`), used without --url/--api-key.",
    )
    @functools.wraps(fn)
    def wrapper(*args: Any, url: str | None, api_key: str | None, settings: Path, **kw: Any):
        from akhbar.annotation.labelstudio.client import resolve
        from akhbar.annotation.labelstudio.server_url import checked

        if url:
            checked(url)  # a bad --url is refused even by a command that may not use it

        return fn(*args, connect=functools.partial(resolve, url, api_key, settings), **kw)

    return wrapper  # type: ignore[return-value]


def taxonomy_option(*, required: bool = False, help: str | None = None) -> Callable[[F], F]:
    return click.option(
        "--taxonomy",
        type=click.Path(path_type=Path),  # an unreadable file: the library's one-line error
        default=None,
        required=required,
        metavar=SHARED["taxonomy"]["metavar"],
        help=help or SHARED["taxonomy"]["help"],
    )


def out_option(
    help: str, *, dest: str = "out_dir", required: bool = True, default: Path | None = None
) -> Callable[[F], F]:
    return click.option(
        "--out",
        dest,
        required=required and default is None,
        default=default,
        show_default=default is not None,
        metavar="DIR",
        type=click.Path(path_type=Path),  # a file there: the publish helper's one-line error
        help=help,
    )
