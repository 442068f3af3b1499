"""The Label Studio labeling config and annotator instructions, generated from a taxonomy.

The config follows the project's Label Studio conventions: one ``Text`` object named ``text``
(``value="$text"``), a ``Labels`` control named ``entity`` for entity types, a ``Labels``
control named ``trigger`` for event types, and ``Relations`` whose labels are the argument
roles (an argument is a relation from a trigger region to an entity region).

Each ``Label`` keeps the taxonomy's name in ``value`` and no ``alias``: Label Studio writes the
alias instead of the value into results when one is set, so the bilingual display name goes
into the ``html`` attribute (what the button shows) and the guideline into ``hint``.

The ``Text`` tag has no ``dir`` attribute. It renders as ``div.lsf-richtext__container`` with
one ``span.lsf-richtext__line`` per line, so a ``Style`` block sets the direction on those
elements inside a ``View`` with our own class name. ``Header`` ignores ``className``, so the
title sits in a ``View`` of its own. The same block lets the Regions panel and the region's
Info panel order its text by its first strong character (Label Studio lays it out left to
right, so ``12 مارس 2024`` read as ``12 2024 مارس``).

What Label Studio 1.23 does, checked in a browser by ``tests/labelstudio/test_browser_annotator.py``: a
region is made by pressing a label's key (or clicking the label) and then selecting; selecting
first and then pressing the key makes nothing, and the label switches off after each region.
The instructions say so.
"""

from __future__ import annotations

import hashlib
from html import escape as html_escape
from xml.sax.saxutils import quoteattr

from akhbar.schemas.taxonomy import Label, Taxonomy

TEXT_OBJECT = "text"  # the names of the labelling config, used by every Label Studio module
ENTITY_CONTROL = "entity"
TRIGGER_CONTROL = "trigger"
RTL_CLASS = "akhbar-rtl"

# Scoped to our View so that Label Studio's own panels (outliner, buttons) keep their layout.
RTL_STYLE = f"""
.{RTL_CLASS} .lsf-richtext__container {{
  direction: rtl; text-align: right; unicode-bidi: plaintext;
  font-size: 18px; line-height: 2em;
}}
.{RTL_CLASS} .lsf-richtext__line {{ padding-left: 0; padding-right: 8px; }}
.{RTL_CLASS}-title {{ direction: rtl; text-align: right; }}
.lsf-outliner-item__text, .lsf-region-meta__content_type_text {{ unicode-bidi: plaintext; }}
"""


def _attrs(**attrs: str | None) -> str:
    """XML attributes, escaped (quoteattr escapes &, <, > and picks safe quoting)."""
    return "".join(f" {k}={quoteattr(v)}" for k, v in attrs.items() if v is not None)


def _display(label: Label) -> str:
    return f"{label.ar} · {label.en}"


def _hint(label: Label) -> str | None:
    parts = [p for p in (label.definition, label.example) if p]
    return " — ".join(parts) if parts else None


def _label_tag(label: Label) -> str:
    # ``html`` is HTML shown on the button; escape it as HTML first, then as an XML attribute.
    return "<Label" + _attrs(
        value=label.name,
        html=html_escape(f"{_display(label)} ({label.name})"),
        background=label.color,
        hotkey=label.hotkey,
        hint=_hint(label),
    )


def label_config(tax: Taxonomy) -> str:
    """The labeling config XML for ``tax``; deterministic, so its hash identifies it."""
    lines = [
        "<View>",
        f"  <Style>{html_escape(RTL_STYLE, quote=False)}</Style>",
        f'  <View className="{RTL_CLASS}">',
        f'    <View className="{RTL_CLASS}-title">',
        f"      <Header{_attrs(value='$title')}/>",
        "    </View>",
        f"    <Labels{_attrs(name=ENTITY_CONTROL, toName=TEXT_OBJECT, showInline='true')}>",
    ]
    lines += [f"      {_label_tag(e)}/>" for e in tax.entities]
    lines.append("    </Labels>")
    if tax.events:
        lines.append(
            f"    <Labels{_attrs(name=TRIGGER_CONTROL, toName=TEXT_OBJECT, showInline='true')}>"
        )
        lines += [f"      {_label_tag(ev)}/>" for ev in tax.events]
        lines.append("    </Labels>")
    if tax.roles:
        lines.append("    <Relations>")
        lines += [f"      <Relation{_attrs(value=r.name, background=r.color)}/>" for r in tax.roles]
        lines.append("    </Relations>")
    lines += [
        f"    <Text{_attrs(name=TEXT_OBJECT, value='$' + TEXT_OBJECT)}/>",
        "  </View>",
        "</View>",
    ]
    return "\n".join(lines)  # no trailing newline: the server strips it, and we compare


def config_sha256(config: str) -> str:
    return hashlib.sha256(config.encode("utf-8")).hexdigest()


RTL = object()  # marks a cell whose content is Arabic: the cell itself is right to left


def _row(cells: list[str | tuple[object, str]], tag: str = "td") -> str:
    """A table row; a cell given as ``(RTL, html)`` is laid out right to left."""
    out = []
    for c in cells:
        if isinstance(c, tuple):
            out.append(f'<{tag} dir="rtl">{c[1]}</{tag}>')
        else:
            out.append(f"<{tag}>{c}</{tag}>")
    return "<tr>" + "".join(out) + "</tr>"


def _label_rows(labels: list[Label]) -> list[str]:
    return [
        _row(
            [
                f"<b>{html_escape(lab.name)}</b>",
                (RTL, html_escape(lab.ar)),
                html_escape(lab.en),
                f"<kbd>{html_escape(lab.hotkey or '')}</kbd>",
                html_escape(lab.definition or ""),
                (RTL, html_escape(lab.example or "")),
            ]
        )
        for lab in labels
    ]


_STEPS = [
    "Entities: first press the entity's key (or click its label), then select the span with "
    "the mouse. Selecting first and pressing the key afterwards makes nothing. The label "
    "switches off after each region: press the key again for the next span.",
    "Events: press the event's key, then select the word that expresses the event (the trigger).",
    "Arguments: click the trigger region, press <kbd>Alt</kbd>+<kbd>R</kbd> (or click "
    "<i>Create relation</i>), click the entity that fills a role; then in the "
    "<i>Relations</i> panel point at the relation, click its label button and pick the role "
    "from the table below. One relation per argument, always from the trigger to the entity.",
    "Submit. Skip an article that is not news. Until you submit, Label Studio keeps your "
    "work as a draft and brings it back, without saying so, when the task is opened again: "
    "look it over before going on.",
]

_CARE = [
    "A span covers the whole mention and nothing else: no space or punctuation at its "
    'edges. Where Arabic meets digits or Latin (<span dir="rtl">12 مارس 2024</span>, '
    '<span dir="rtl">صواريخ Grad</span>) the selection jumps: look at the highlight '
    "before going on. Validation trims spaces at the edges (and reports it); a span that "
    "cuts a number or a word in two is reported for review.",
    "A proclitic (و، ف، ب، ل، ك) stays outside the span: drag from the first letter after it. "
    "A double-click takes the whole word with its clitic "
    '(<span dir="rtl">وقُتِلَ</span>), and on a time such as 10:30 only the colon: drag '
    "instead.",
]


def _role_rows(tax: Taxonomy) -> list[str]:
    """One row per event type: each role it takes, with the entity types that fill it."""
    ar = {r.name: r.ar for r in tax.roles}
    return [
        _row(
            [
                f"<b>{html_escape(ev.name)}</b>",
                "<br>".join(
                    f"{html_escape(role)} "
                    f'(<span dir="rtl">{html_escape(ar.get(role, ""))}</span>): '
                    f"{html_escape(', '.join(types))}"
                    for role, types in ev.roles.items()
                ),
            ]
        )
        for ev in tax.events
    ]


def instructions_html(tax: Taxonomy) -> str:
    """The annotator guidelines as HTML for the project's ``expert_instruction``."""
    head = _row(["Label", (RTL, "عربي"), "English", "Key", "Definition", (RTL, "مثال")], tag="th")
    steps = _STEPS if tax.events else _STEPS[:1] + _STEPS[-1:]
    out = [
        f"<h2>{html_escape(tax.name)} {html_escape(tax.version)}</h2>",
        f"<p>{html_escape(tax.description)}</p>",
        "<h3>How to annotate</h3>",
        "<ol>" + "".join(f"<li>{step}</li>" for step in steps) + "</ol>",
        "<ul>" + "".join(f"<li>{c}</li>" for c in _CARE) + "</ul>",
        "<h3>Entities</h3>",
        f"<table><tbody>{head}{''.join(_label_rows(list(tax.entities)))}</tbody></table>",
    ]
    if tax.events:
        out += [
            "<h3>Events</h3>",
            f"<table><tbody>{head}{''.join(_label_rows(list(tax.events)))}</tbody></table>",
            "<h3>Argument roles of each event</h3>",
            "<table><tbody>"
            + _row(["Event", "Roles: entity types that fill them"], tag="th")
            + "".join(_role_rows(tax))
            + "</tbody></table>",
        ]
    return "\n".join(out)
