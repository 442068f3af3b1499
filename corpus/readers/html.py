"""HTML pages: the main text, title, date, author and URL extracted by trafilatura.

The page's own navigation, comments and footers stay behind: structural rules first
(``html_structure``: page regions, left-to-right blocks of an Arabic page, layout tables),
then trafilatura favouring precision; what it keeps still goes through the cleaning rules (a
repeated headline, share lines, footers).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator

import trafilatura

from akhbar.corpus.config import CorpusConfig
from akhbar.corpus.readers import html_structure
from akhbar.corpus.readers.base import Origin, iso_date, reject_input
from akhbar.corpus.readers.encoding import DecodeError, decode
from akhbar.corpus.records import Provenance, RawRecord, Rejection

READER = "html_v1"

# trafilatura logs every page it finds too short at WARNING; our rejections already say so.
logging.getLogger("trafilatura").setLevel(logging.ERROR)


def parse_html(
    data: bytes, origin: Origin, config: CorpusConfig
) -> Iterator[RawRecord | Rejection]:
    """One article per page."""
    try:
        decoded = decode(data)
    except DecodeError as e:
        yield reject_input(origin, READER, "undecodable", str(e), data=data)
        return
    page, encoding = decoded.text, decoded.encoding
    if not page.strip():
        yield reject_input(origin, READER, "empty_input", "the file is empty", encoding=encoding)
        return
    tree = html_structure.prepare(page)
    try:
        doc = trafilatura.bare_extraction(
            tree if tree is not None else page,
            prune_xpath=html_structure.PRUNE_XPATH,
            with_metadata=True,
            include_comments=False,
            include_tables=True,
            favor_precision=True,
            date_extraction_params={"extensive_search": False, "original_date": True},
        )
    except Exception as e:  # lxml and trafilatura raise many types on broken markup
        yield reject_input(
            origin,
            READER,
            "unparsable",
            f"HTML extraction failed ({type(e).__name__}: {e})",
            data=data,
            encoding=encoding,
        )
        return
    text = getattr(doc, "text", None) if doc is not None else None
    if not text or not text.strip():
        yield reject_input(
            origin,
            READER,
            "no_main_text",
            "no article text found in the page (navigation and boilerplate only)",
            data=page,
            encoding=encoding,
        )
        return
    metadata = {
        key: value
        for key in ("sitename", "description", "categories", "tags")
        if (value := getattr(doc, key, None))
    }
    title = doc.title or ""
    top = html_structure.headline(tree, text, title) if tree is not None else None
    if top and top != title:
        # The page's <title> names the site or the print view, not this article.
        title = top
    yield RawRecord(
        title=title,
        text=text,
        provenance=Provenance(
            origin.input_file, origin.record("0"), READER, encoding, decoded.rules()
        ),
        source=doc.hostname or doc.sitename or None,
        url=doc.url or None,
        published=iso_date(doc.date),
        author=doc.author or None,
        metadata=metadata,
    )
