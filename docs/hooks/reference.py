"""The reference pages, generated from the code each time the site is built (an MkDocs hook).

Nothing here is written by hand, so the reference cannot drift from the tool:

- ``reference/cli.md``: every command of the ``akhbar`` click tree, its help, usage, arguments
  and options (names, type, default, help);
- ``reference/checks.md``: every check code of ``akhbar.schemas.checks.CHECKS`` with its name,
  severity and explanation, grouped as the module's docstring groups them;
- ``reference/schemas.md``: every JSON Schema in ``schemas/``, its fields and the schema itself;
- ``reference/config.md``: every key of a corpus build's ``--config`` file, with its default
  and the comment beside it in ``corpus/config.py``;
- ``reference/taxonomy.md``: every key of a taxonomy file, from its schema, and the bundled
  taxonomies.

The annotator's guide (``guidelines.md``) gets the guidelines Label Studio shows annotators,
generated from the default taxonomy, in place of the marker ``<!-- akhbar:guidelines -->``.
``tests/docs/test_docs_site.py`` builds the site and checks these pages against the code.
"""

from __future__ import annotations

import dataclasses
import inspect
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

REPO = Path(__file__).resolve().parents[2]
GUIDELINES_MARKER = "<!-- akhbar:guidelines -->"


# --- commands ----------------------------------------------------------------------------------


def walk_commands(
    command: click.Command, path: tuple[str, ...] = ()
) -> Iterator[tuple[tuple[str, ...], click.Command]]:
    """Every command of the tree, groups included, with its path (``()`` is ``akhbar``)."""
    yield path, command
    if isinstance(command, click.Group):
        for name, sub in sorted(command.commands.items()):
            yield from walk_commands(sub, (*path, name))


def command_anchor(path: tuple[str, ...]) -> str:
    return "-".join(("akhbar", *path))


def _cell(text: Any) -> str:
    """Text fit for one cell of a Markdown table."""
    return " ".join(str(text).split()).replace("|", "\\|")


def _type_of(param: click.Parameter) -> str:
    if isinstance(param, click.Option) and param.is_flag and not param.count:
        return "flag"
    if isinstance(param.type, click.Choice):
        return " \\| ".join(f"`{c}`" for c in param.type.choices)
    metavar = getattr(param, "metavar", None)
    return f"`{metavar}`" if metavar else f"`{param.type.name.upper()}`"


def _default_of(param: click.Parameter) -> str:
    default = param.default
    unset = getattr(click.core, "UNSET", None)  # click 8.3's "no default" sentinel
    if default is unset or callable(default) or default is None or default is False:
        return ""
    if default == () or "UNSET" in repr(default):
        return ""
    if isinstance(param, click.Option) and param.is_flag:
        return ""
    return f"`{default}`"


def _help_markdown(text: str) -> list[str]:
    """A command's help as Markdown: its ``Example:`` lines as a code block."""
    out: list[str] = []
    for para in inspect.cleandoc(text).split("\n\n"):
        para = para.strip().lstrip("\b").strip()
        if para.startswith("Example"):
            _, _, rest = para.partition(":")
            lines = [ln.strip() for ln in rest.strip().splitlines()]
            out += ["Example:", "", "```text", *lines, "```", ""]
        else:
            out += [" ".join(para.split()), ""]
    return out


def cli_reference() -> str:
    from akhbar.cli.main import cli

    lines = [
        "# Commands",
        "",
        "Every command of `akhbar` with its arguments and options, generated from the click",
        "commands when the site is built (`akhbar COMMAND --help` prints the same).",
        "Options mean the same in every command that has them: `--workers N` processes",
        "(0 one per core, 1 this process only), `--out` published whole or not at all, `--force`",
        "replaces only an earlier output of the same command. Every command also takes",
        "`-h`/`--help`.",
        "",
    ]
    for path, command in walk_commands(cli):
        name = " ".join(("akhbar", *path))
        depth = min(2 + len(path), 4) if path else 2
        lines += [f"{'#' * depth} `{name}` {{#{command_anchor(path)}}}", ""]
        lines += _help_markdown(command.help or "")
        ctx = click.Context(command, info_name=name)
        usage = " ".join(command.collect_usage_pieces(ctx))
        lines += ["```text", f"{name} {usage}".rstrip(), "```", ""]
        if isinstance(command, click.Group):
            lines.append("Commands:")
            lines.append("")
            for sub_name, sub in sorted(command.commands.items()):
                short = sub.get_short_help_str(limit=120)
                lines.append(
                    f"- [`{name} {sub_name}`](#{command_anchor((*path, sub_name))}): {short}"
                )
            lines.append("")
        args = [p for p in command.params if isinstance(p, click.Argument)]
        if args:
            lines += ["| argument | type | required |", "|---|---|---|"]
            for a in args:
                many = (
                    " (one or more)" if a.nargs == -1 and "..." not in a.human_readable_name else ""
                )
                lines.append(
                    f"| `{a.human_readable_name}`{many} | {_type_of(a)} | "
                    f"{'yes' if a.required else 'no'} |"
                )
            lines.append("")
        opts = [p for p in command.params if isinstance(p, click.Option)]
        if opts:
            lines += ["| option | type | default | what it does |", "|---|---|---|---|"]
            for o in opts:
                names = ", ".join(f"`{n}`" for n in (*o.opts, *o.secondary_opts))
                required = " **required**" if o.required else ""
                help_text = _cell(o.help or "")
                if o.envvar:
                    help_text += f" (env `{o.envvar}`)"
                lines.append(
                    f"| {names}{required} | {_type_of(o)} | {_default_of(o)} | {help_text} |"
                )
            lines.append("")
    return "\n".join(lines)


# --- check codes -------------------------------------------------------------------------------


def check_groups() -> list[tuple[str, str]]:
    """(code prefix, what the group looks at), read from the checks module's docstring."""
    from akhbar.schemas import checks

    found = re.findall(r"^- ``(AK\d\d)x`` (.+?);?$", checks.__doc__ or "", re.M)
    return [(prefix, text.rstrip(".;")) for prefix, text in found]


def checks_reference() -> str:
    from akhbar.schemas.checks import CHECKS

    lines = [
        "# Check codes",
        "",
        "Every problem that validation, pushing pre-annotations or the document check finds is",
        "reported with one of these codes, in `issues.jsonl`, `quarantine.jsonl` and the report",
        "(generated from `akhbar.schemas.checks.CHECKS`). An *error* quarantines the task or",
        "document; a *warning* keeps it and asks someone to look. The message names what was",
        "found, where (a JSON pointer) and what was expected. The last column is what the",
        "document check says about a mistake put into the first document of the bundled sample",
        "when this page was built; a code that only a whole export or set of documents can",
        "show (a task id given twice, say) has no example.",
        "",
    ]
    groups = check_groups()
    examples = check_examples()
    placed: set[str] = set()
    for prefix, text in groups:
        codes = [c for c in CHECKS.values() if c.code.startswith(prefix)]
        if not codes:
            continue
        lines += [f"## {prefix}x: {text}", ""]
        lines += _checks_table(codes, examples)
        placed.update(c.code for c in codes)
    rest = [c for c in CHECKS.values() if c.code not in placed]
    if rest:
        lines += ["## Other codes", ""]
        lines += _checks_table(rest, examples)
    return "\n".join(lines)


def _checks_table(codes: list[Any], examples: dict[str, str]) -> list[str]:
    out = [
        "| code | name | severity | explanation | a message it gives |",
        "|---|---|---|---|---|",
    ]
    for c in codes:
        example = examples.get(c.code)
        out.append(
            f"| <span id='{c.code}'>`{c.code}`</span> | `{c.name}` | {c.severity} | "
            f"{_cell(c.explanation)} | {_cell(example) if example else ''} |"
        )
    return [*out, ""]


# Mistakes put into the first annotated document of the bundled sample: the document check's
# own messages for them are the reference's examples (codes that only a whole export or a set
# of documents can show, such as a task id given twice, have none).
FAULTS: list[Callable[[dict[str, Any], str], None]] = [
    lambda d, t: d.pop("entities"),
    lambda d, t: d.__setitem__("entities", "none"),
    lambda d, t: d.__setitem__("selection", "by hand"),
    lambda d, t: d["entities"][0].__setitem__("start", 5.0),
    lambda d, t: d["entities"][0].__setitem__("end", len(t) + 2),
    lambda d, t: d["entities"][0].__setitem__("start", d["entities"][0]["start"] + 1),
    lambda d, t: d.__setitem__("text", t.replace("مزارع", "فلاح", 1)),
    lambda d, t: d["entities"][0].update(end=d["entities"][0]["start"]),
    lambda d, t: d["entities"][0].__setitem__("label", "PERSON"),
    lambda d, t: d["events"][0]["arguments"][0].__setitem__("entity_id", "e999"),
    lambda d, t: d["events"][0]["arguments"][0].__setitem__("role", "Weapon"),
    lambda d, t: d["events"][0]["arguments"][0].__setitem__("role", "Instrument"),
    lambda d, t: d["entities"][1].__setitem__("id", d["entities"][0]["id"]),
    lambda d, t: d["entities"].append({**d["entities"][0], "id": "e990", "label": "ORG"}),
    lambda d, t: d["entities"].append({**d["entities"][0], "id": "e991"}),
    lambda d, t: d["entities"][0].update(
        start=d["entities"][0]["start"] - 1,
        text=t[d["entities"][0]["start"] - 1 : d["entities"][0]["end"]],
    ),
    lambda d, t: d["events"][0]["arguments"].append(dict(d["events"][0]["arguments"][0])),
]


def check_examples() -> dict[str, str]:
    """One message of the document check per code it gave for the mistakes in ``FAULTS``."""
    import copy

    from akhbar.schemas.document import check_document
    from akhbar.schemas.taxonomy import load as load_taxonomy

    sample = REPO / "corpus" / "sample" / "annotations.jsonl"
    with sample.open(encoding="utf-8") as f:
        doc = json.loads(f.readline())
    text, tax = doc["text"], load_taxonomy(None)
    examples: dict[str, str] = {}
    for fault in FAULTS:
        broken = copy.deepcopy(doc)
        fault(broken, text)
        for issue in check_document(broken, text, tax):
            examples.setdefault(issue.code, issue.message)
    return examples


# --- JSON Schemas ------------------------------------------------------------------------------


def schema_files() -> list[Path]:
    return sorted((REPO / "schemas").glob("*.schema.json"))


def _schema_type(node: dict[str, Any]) -> str:
    if "$ref" in node:
        return f"`{node['$ref'].rsplit('/', 1)[-1]}`"
    if "type" not in node and len(node.get("allOf", [])) == 1:
        return _schema_type(node["allOf"][0])
    t = node.get("type")
    if isinstance(t, list):
        return " or ".join(t)
    if t == "array" and isinstance(node.get("items"), dict):
        return f"array of {_schema_type(node['items'])}"
    if t:
        return str(t)
    for key in ("oneOf", "anyOf"):
        if key in node:
            return " or ".join(_schema_type(n) for n in node[key])
    if "enum" in node:
        return "one of " + ", ".join(f"`{v}`" for v in node["enum"])
    if "const" in node:
        return f"`{node['const']}`"
    return "any"


def _properties_table(node: dict[str, Any]) -> list[str]:
    props = node.get("properties") or {}
    if not props:
        return []
    required = set(node.get("required") or [])
    out = ["| field | type | required | description |", "|---|---|---|---|"]
    for name, sub in props.items():
        sub = sub if isinstance(sub, dict) else {}
        out.append(
            f"| `{name}` | {_cell(_schema_type(sub))} | {'yes' if name in required else ''} | "
            f"{_cell(sub.get('description', ''))} |"
        )
    return [*out, ""]


def schemas_reference() -> str:
    lines = [
        "# JSON Schemas",
        "",
        "The contract between the stages: JSON Schema Draft 2020-12 files in `schemas/`,",
        "shown here as they are in the code (generated at build time). Offsets are Unicode",
        "code points into the cleaned text.",
        "",
    ]
    for path in schema_files():
        schema = json.loads(path.read_text(encoding="utf-8"))
        title = schema.get("title", path.name)
        lines += [f"## {title} (`schemas/{path.name}`)", ""]
        if "$id" in schema:
            lines += [f"`$id`: `{schema['$id']}`", ""]
        if schema.get("description"):
            lines += [" ".join(schema["description"].split()), ""]
        root = schema.get("items") if schema.get("type") == "array" else schema
        if isinstance(root, dict) and "$ref" in root:
            root = _resolve(schema, root["$ref"])
        lines += _properties_table(root or {})
        for name, sub in (schema.get("$defs") or {}).items():
            table = _properties_table(sub) if isinstance(sub, dict) else []
            if table:
                lines += [f"**`{name}`**", "", *table]
        body = json.dumps(schema, ensure_ascii=False, indent=2)
        lines += [f'??? note "The whole schema: {path.name}"', "", "    ```json"]
        lines += [f"    {ln}" for ln in body.splitlines()]
        lines += ["    ```", ""]
    return "\n".join(lines)


def _resolve(schema: dict[str, Any], ref: str) -> dict[str, Any] | None:
    node: Any = schema
    for part in ref.lstrip("#/").split("/"):
        node = node.get(part) if isinstance(node, dict) else None
    return node if isinstance(node, dict) else None


# --- corpus config keys ------------------------------------------------------------------------


def field_comments(cls: type) -> dict[str, str]:
    """The comment written after each field of a dataclass, by field name."""
    out: dict[str, str] = {}
    for line in inspect.getsource(cls).splitlines():
        m = re.match(r"\s+(\w+): [^#]*#\s*(.+)$", line)
        if m:
            out[m.group(1)] = m.group(2).strip()
    return out


def config_keys() -> list[tuple[str, str, str]]:
    """(dotted key, default, comment) of every key a corpus config file may hold."""
    from akhbar.corpus.config import CorpusConfig, SourceConfig

    keys: list[tuple[str, str, str]] = []

    def visit(cls: type, instance: Any, prefix: str) -> None:
        comments = field_comments(cls)
        for f in dataclasses.fields(cls):
            value = getattr(instance, f.name)
            key = f"{prefix}{f.name}"
            if dataclasses.is_dataclass(value):
                keys.append((key, "", (type(value).__doc__ or "").strip()))
                visit(type(value), value, key + ".")
            elif f.name == "sources":
                keys.append((key, "{}", "Per-source settings, by source name (`*`: every one)."))
                visit(SourceConfig, SourceConfig(), key + ".NAME.")
            elif isinstance(value, dict):
                keys.append((key, "", comments.get(f.name, "")))
                for k, v in value.items():
                    keys.append((f"{key}.{k}", f"`{v}`", ""))
            else:
                keys.append((key, f"`{value!r}`", comments.get(f.name, "")))

    visit(CorpusConfig, CorpusConfig(), "")
    return keys


def config_reference() -> str:
    lines = [
        "# Corpus config keys",
        "",
        "`akhbar corpus build --config FILE` reads a YAML file with these keys (every one",
        "optional; an unknown key is refused with the list of known ones). Generated from",
        "`corpus/config.py`; `corpus/configs/saudinewsnet.yaml` is a complete example.",
        "",
        "| key | default | what it is |",
        "|---|---|---|",
    ]
    for key, default, comment in config_keys():
        lines.append(f"| `{key}` | {_cell(default)} | {_cell(comment)} |")
    lines += [
        "",
        "`fields` maps our field names to the keys of JSON and JSON Lines inputs: `fields.text:",
        "body` reads the text from `body`. A `drop_line_patterns` entry is a Python regular",
        "expression matched against a whole paragraph after character cleaning; a paragraph it",
        "matches in full is dropped and counted under the rule `drop_configured_lines_v1`.",
        "",
    ]
    return "\n".join(lines)


# --- taxonomy keys -----------------------------------------------------------------------------


def taxonomy_keys() -> list[tuple[str, str, bool, str]]:
    """(dotted key, type, required, description) of every key of a taxonomy file."""
    schema = json.loads((REPO / "schemas" / "taxonomy.schema.json").read_text(encoding="utf-8"))
    out: list[tuple[str, str, bool, str]] = []

    def visit(node: dict[str, Any], prefix: str, seen: tuple[str, ...]) -> None:
        if "$ref" in node:
            target = _resolve(schema, node["$ref"]) or {}
            if node["$ref"] in seen:
                return
            visit(target, prefix, (*seen, node["$ref"]))
            return
        for part in node.get("allOf", []):
            visit(part, prefix, seen)
        if node.get("type") == "array" and isinstance(node.get("items"), dict):
            visit(node["items"], prefix.rstrip(".") + "[].", seen)
            return
        required = set(node.get("required") or [])
        for name, sub in (node.get("properties") or {}).items():
            if not isinstance(sub, dict):
                continue
            target = _resolve(schema, sub["$ref"]) if "$ref" in sub else sub
            description = sub.get("description") or (target or {}).get("description", "")
            out.append((f"{prefix}{name}", _schema_type(sub), name in required, description or ""))
            visit(sub, f"{prefix}{name}.", seen)

    visit(schema, "", ())
    # a key declared both by a shared definition and by its user is listed once
    unique: dict[str, tuple[str, str, bool, str]] = {}
    for row in out:
        old = unique.get(row[0])
        unique[row[0]] = row if old is None or (row[3] and not old[3]) else old
    return list(unique.values())


def taxonomy_reference() -> str:
    from akhbar.schemas.taxonomy import load as load_taxonomy

    lines = [
        "# Taxonomy keys",
        "",
        "A taxonomy is a YAML file (`--taxonomy FILE`) checked against",
        "`schemas/taxonomy.schema.json`; these are its keys (generated from that schema;",
        "`[]` is an item of a list). See [Write your own taxonomy](../howto/taxonomy.md).",
        "",
        "| key | type | required | what it is |",
        "|---|---|---|---|",
    ]
    for key, kind, required, description in taxonomy_keys():
        lines.append(
            f"| `{key}` | {_cell(kind)} | {'yes' if required else ''} | {_cell(description)} |"
        )
    lines += [
        "",
        "## Bundled taxonomies",
        "",
        "| file | name | version | entities | events | roles |",
    ]
    lines.append("|---|---|---|---|---|---|")
    for path in sorted((REPO / "schemas" / "taxonomies").glob("*.yaml")):
        tax = load_taxonomy(path)
        lines.append(
            f"| `schemas/taxonomies/{path.name}` | `{tax.name}` | {tax.version} | "
            f"{len(tax.entities)} | {len(tax.events)} | {len(tax.roles)} |"
        )
    return "\n".join([*lines, ""])


# --- the annotator's guidelines ----------------------------------------------------------------


def guidelines_html() -> str:
    from akhbar.annotation.labelstudio.labelconfig import instructions_html
    from akhbar.schemas.taxonomy import load as load_taxonomy

    return f'<div class="akhbar-guidelines">\n{instructions_html(load_taxonomy(None))}\n</div>'


PAGES: dict[str, Callable[[], str]] = {
    "reference/cli.md": cli_reference,
    "reference/checks.md": checks_reference,
    "reference/schemas.md": schemas_reference,
    "reference/config.md": config_reference,
    "reference/taxonomy.md": taxonomy_reference,
}


# --- MkDocs events -----------------------------------------------------------------------------


def on_files(files: Any, config: Any) -> Any:
    from mkdocs.structure.files import File

    for path, make in PAGES.items():
        files.append(File.generated(config, path, content=make()))
    return files


def on_page_markdown(markdown: str, page: Any, config: Any, files: Any) -> str:
    if GUIDELINES_MARKER in markdown:
        markdown = markdown.replace(GUIDELINES_MARKER, guidelines_html())
    return markdown
