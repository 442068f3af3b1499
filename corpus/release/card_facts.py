"""What the card says about where a release came from, written only from the manifest: the
origin counts (``origin.py``) and the curator's card-info file (``card_info.py``).

Texts imported from a named corpus are credited to it, with its citation and licence notice;
texts scraped and cleaned by ``corpus build`` are described as such; annotations are said to
come from Label Studio only when some did. A fact that is neither in the data nor in the
card-info file is left out (and reported as a warning by the build), never made up.
"""

from __future__ import annotations

from typing import Any

from akhbar.corpus.release.splits import SPLITS

DEFAULT_LANGUAGE_DETAILS = ["ar"]  # BCP-47; the card-info file can say which variety


def _info(m: dict[str, Any]) -> dict[str, Any]:
    return ((m.get("card_info") or {}).get("data")) or {}


def _origin(m: dict[str, Any]) -> dict[str, int]:
    o = m.get("origin") or {}
    return {
        k: int(o.get(k, 0))
        for k in ("documents_imported", "documents_annotated", "texts_imported", "texts_scraped")
    }


def source_name(m: dict[str, Any]) -> str | None:
    src = _info(m).get("source_dataset") or {}
    return src.get("name")


def hub_fields(m: dict[str, Any]) -> dict[str, Any]:
    """The card-specification fields beyond ``configs`` and ``dataset_info``."""
    info, o = _info(m), _origin(m)
    creators = list(info.get("annotations_creators") or [])
    if not creators:
        if o["documents_annotated"]:
            creators.append("expert-generated")  # people in Label Studio, validated
        if o["documents_imported"]:
            creators.append("found")  # the annotations came with the imported corpus
    sources = []
    if o["texts_scraped"]:
        sources.append("original")
    if o["texts_imported"]:
        src = info.get("source_dataset") or {}
        sources.append(f"extended|{src['id']}" if src.get("id") else "extended")
    fields: dict[str, Any] = {
        "language_details": list(info.get("language_details") or DEFAULT_LANGUAGE_DETAILS),
        "annotations_creators": creators or ["no-annotation"],
        "language_creators": ["found"],
        "multilinguality": ["monolingual"],
        "source_datasets": sources or ["original"],
    }
    if m["license"] == "other":
        for key in ("license_name", "license_link"):
            if info.get(key):
                fields[key] = info[key]
    return fields


def what_it_is(m: dict[str, Any]) -> str:
    """The first sentence of the card: what the texts are and who annotated them."""
    o = _origin(m)
    parts = []
    if o["texts_scraped"]:
        parts.append(f"{o['texts_scraped']:,} Arabic news articles scraped and cleaned by akhbar")
    if o["texts_imported"]:
        name = source_name(m) or "an existing annotated corpus"
        parts.append(f"{o['texts_imported']:,} texts imported from {name}")
    how = []
    if o["documents_annotated"]:
        how.append(f"{o['documents_annotated']:,} annotated by people in Label Studio")
    if o["documents_imported"]:
        how.append(f"{o['documents_imported']:,} with the annotations they were imported with")
    return (
        (" and ".join(parts) or "Arabic texts") + " (" + "; ".join(how or ["no annotations"]) + ")"
    )


def sources_intro(m: dict[str, Any]) -> str:
    """The paragraph before the table of sources."""
    o, info = _origin(m), _info(m)
    out = []
    if o["texts_scraped"]:
        out.append(
            f"{o['texts_scraped']:,} articles were scraped from the sites below, cleaned by "
            "`akhbar corpus build` (ads, boilerplate, footers, control characters removed; the "
            "cleaned text is what was annotated and is never changed afterwards) and "
            "de-duplicated."
        )
    if o["texts_imported"]:
        src = info.get("source_dataset") or {}
        name = src.get("name") or "an existing annotated corpus (not named in the card-info file)"
        text = (
            f"{o['texts_imported']:,} texts were imported from {name} by `akhbar annotate "
            "import-conll`, token for token as the source has them (no cleaning)"
        )
        if src.get("authors"):
            text += f"; its authors: {src['authors']}"
        if src.get("url"):
            text += f"; {src['url']}"
        out.append(text + ".")
        if src.get("license") or src.get("license_notice"):
            notice = src.get("license_notice") or ""
            out.append(
                f"{name} is distributed under {src.get('license', 'its licence')}. {notice}".strip()
            )
        if src.get("citation"):
            out.append(f"Cite {name} as:\n\n```bibtex\n{src['citation'].strip()}\n```")
    return "\n\n".join(out)


def annotation_intro(m: dict[str, Any]) -> str:
    """How the annotations were made, from the origin counts."""
    o = _origin(m)
    out = []
    if o["documents_annotated"]:
        out.append(
            f"{o['documents_annotated']:,} article(s) were annotated in Label Studio: annotators "
            "marked entity mentions and event triggers as character spans of the cleaned text, "
            "and linked each trigger to the entity mentions that fill its argument roles."
        )
    if o["documents_imported"]:
        name = source_name(m) or "the imported corpus"
        out.append(
            f"{o['documents_imported']:,} document(s) carry the annotations of {name} as "
            "imported (nested entities included); they were not re-annotated here."
        )
    out.append(
        "Every annotation was checked against the JSON Schemas and the taxonomy (`akhbar "
        "annotate validate`); invalid ones were quarantined and are not here. The guidelines "
        "are in `GUIDELINES.md`."
    )
    return " ".join(out)


def maintainer(m: dict[str, Any]) -> str | None:
    return (_info(m).get("maintainer") or "").strip() or None


def citation(m: dict[str, Any], default: str) -> str:
    """The curator's BibTeX from the card-info file, else ``default``."""
    given = (_info(m).get("citation") or "").strip()
    return given or default


def data_statement(m: dict[str, Any]) -> str:
    """The data statement: what the data says, and what only the curator can say."""
    info, o = _info(m), _origin(m)
    per = m["labels"]
    sources: dict[str, int] = {}
    for s in SPLITS:
        for name, n in per[s]["sources"].items():
            sources[name] = sources.get(name, 0) + n
    src_text = ", ".join(f"{n} ({c:,})" for n, c in sorted(sources.items(), key=lambda kv: -kv[1]))
    agreement = m.get("agreement") or {}
    who = (info.get("annotators") or "").strip()
    if agreement.get("annotators"):
        who = (who + " " if who else "") + (
            f"{agreement['annotators']} annotator(s) took part in the agreement study over "
            f"{agreement.get('documents', '?')} document(s)."
        )
    if o["documents_imported"] and not who:
        who = f"The annotators of {source_name(m) or 'the imported corpus'}."
    rules = (m.get("cleaning") or {}).get("rules") or {}
    if o["texts_scraped"]:
        prep = "Cleaned by `akhbar corpus build`" + (
            ": " + ", ".join(f"`{r}` {n:,}" for r, n in sorted(rules.items())) if rules else ""
        )
    else:
        prep = "None: the imported texts are kept token for token."
    lic = m["license"]
    if info.get("license_name"):
        lic += f" ({info['license_name']}"
        lic += f", {info['license_link']})" if info.get("license_link") else ")"

    def given(key: str) -> str:
        return (info.get(key) or "").strip() or "_not stated (card-info file)_"

    rows = [
        ("Curation rationale", given("curation_rationale")),
        ("Language variety", given("language_variety")),
        ("Where the texts come from", src_text or "_none_"),
        ("Who annotated", who or "_not stated (card-info file)_"),
        ("Preprocessing", prep),
        ("Licence", lic + (f". {info['attribution']}" if info.get("attribution") else "")),
        ("Intended uses", given("intended_uses")),
        ("Out-of-scope uses", given("out_of_scope_uses")),
        ("Known limitations", given("known_limitations")),
        ("Maintainer", given("maintainer")),
        ("Contact", given("contact")),
    ]
    body = "\n".join(f"- **{k}.** {v}" for k, v in rows)
    return "## Data statement\n\n" + body + "\n"
