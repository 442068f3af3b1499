"""The annotation guidelines, generated from a taxonomy: the one text annotators read in
Label Studio (``annotation.labelstudio.labelconfig`` renders it as the project's instructions)
and that a release ships as ``GUIDELINES.md``. The steps and rules are written with the few
inline HTML tags (``kbd``, ``i``, ``span dir="rtl"``) that both HTML and Markdown show.
"""

from __future__ import annotations

from akhbar.schemas.taxonomy import Label, Taxonomy

STEPS = [
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

CARE = [
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


def _cell(text: str | None) -> str:
    return (text or "").replace("|", "\\|").replace("\n", " ")


def _label_table(labels: list[Label]) -> list[str]:
    rows = ["| Label | عربي | English | Key | Definition | مثال |", "|---|---|---|---|---|---|"]
    rows += [
        f"| **{_cell(lab.name)}** | {_cell(lab.ar)} | {_cell(lab.en)} | {_cell(lab.hotkey)} | "
        f"{_cell(lab.definition)} | {_cell(lab.example)} |"
        for lab in labels
    ]
    return rows


def guidelines_markdown(tax: Taxonomy) -> str:
    """``GUIDELINES.md``: how to annotate, the span rules, every label with its definition and
    example, and each event's roles, for the taxonomy ``tax``."""
    steps = STEPS if tax.events else STEPS[:1] + STEPS[-1:]
    ar = {r.name: r.ar for r in tax.roles}
    out = [
        f"# Annotation guidelines: {tax.name} {tax.version}",
        "",
        tax.description,
        "",
        f"Taxonomy sha256 `{tax.sha256}`. These are the instructions the annotators read in "
        "Label Studio, generated from the same taxonomy.",
        "",
        "## How to annotate",
        "",
        *[f"{i}. {step}" for i, step in enumerate(steps, start=1)],
        "",
        *[f"- {c}" for c in CARE],
        "",
        "## Entities",
        "",
        *_label_table(list(tax.entities)),
        "",
    ]
    if tax.events:
        out += ["## Events", "", *_label_table(list(tax.events)), ""]
        out += ["## Argument roles of each event", "", "| Event | Roles: entity types |"]
        out.append("|---|---|")
        for ev in tax.events:
            roles = "; ".join(
                f"{role} ({ar.get(role, '')}): {', '.join(types)}"
                for role, types in ev.roles.items()
            )
            out.append(f"| **{_cell(ev.name)}** | {_cell(roles)} |")
        out.append("")
    return "\n".join(out)
