"""Reading CoNLL/IOB files, including nested multi-tag lines such as Wojood's.

A line is a token followed by one or more IOB tags (``فلسطين I-ORG I-ORG B-GPE``). A blank line
ends a sentence; a file with no blank lines at all (sentence ends written only as ``.`` tokens,
common in real files) is split after its sentence-final punctuation tokens instead, as is any
file when the caller names the sentence-final tokens.

Real files have broken lines. Each token line is accounted for in a :class:`LineTally`: kept,
repaired (an ``I-X`` that continues nothing, read as ``B-X``) or skipped with a reason:

- ``empty_token``: the line has tags but no token (`` O``);
- ``missing_tag``: a token with no tag;
- ``extra_fields``: fields that are neither the token nor a tag (a token with a space inside,
  or an extra column);
- ``bad_tag``: a tag that is not ``O``, ``B-TYPE`` or ``I-TYPE``;
- ``unknown_type``: an IOB tag whose type the taxonomy does not declare.

A skipped line is reported with its line number and the reading goes on; ``strict`` stops at
the first one with an :class:`InputError` instead.

Rules for tokens that cannot be read as plain words:
- ``$#$`` (Wojood's separator) and ``#ERROR!`` (a spreadsheet artefact) are kept verbatim as
  tokens and counted; they carry the tag ``O`` in the data, so keeping them changes no entity.
- The text is stored exactly as the tokens are written: no cleaning, no Unicode normalisation,
  because the annotations index into it.

Everything here is linear in the file's size, whatever the length of a sentence.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from akhbar.schemas.errors import InputError

SPECIAL_TOKENS = ("$#$", "#ERROR!")
# Tokens after which a sentence ends when a file has no blank lines (or --sentence-end is given).
DEFAULT_SENTENCE_END = (".", "؟", "!", "؛", "?")
OUTSIDE = ["O"]  # the tags of a token outside every entity
SKIP_REASONS = ("empty_token", "missing_tag", "extra_fields", "bad_tag", "unknown_type")


@dataclass(slots=True)
class Span:
    start: int  # token index, inclusive
    end: int  # token index, exclusive
    label: str


@dataclass(slots=True)
class Sentence:
    index: int  # 0-based position in the file
    line: int  # 1-based line number of its first token
    tokens: list[str]
    tags: list[list[str]]  # per token, its IOB tags as written ("O" alone when outside)
    spans: list[Span] = field(default_factory=list)
    repairs: list[int] = field(default_factory=list)  # per token, I- tags read as B-

    @property
    def text(self) -> str:
        return " ".join(self.tokens)

    def token_offsets(self) -> list[tuple[int, int]]:
        out, pos = [], 0
        for tok in self.tokens:
            out.append((pos, pos + len(tok)))
            pos += len(tok) + 1
        return out


@dataclass(frozen=True, slots=True)
class LineIssue:
    line: int
    reason: str  # one of SKIP_REASONS
    detail: str
    text: str  # the line as written

    def to_dict(self) -> dict[str, Any]:
        return {"line": self.line, "reason": self.reason, "detail": self.detail, "text": self.text}


@dataclass(slots=True)
class LineTally:
    """What became of every token line: ``token_lines == kept + repaired + skipped``."""

    token_lines: int = 0
    kept: int = 0
    repaired: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    issues: list[LineIssue] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        return {
            "token_lines": self.token_lines,
            "kept": self.kept,
            "repaired": self.repaired,
            "skipped": sum(self.skipped.values()),
            "skipped_by_reason": dict(sorted(self.skipped.items())),
        }


def decode_nested(tags: list[list[str]]) -> list[Span]:
    """Turn per-token tag lists into entity spans, nested ones included.

    For each type, ``B-X`` opens a new span and each ``I-X`` keeps one open span of that type
    going. When a token has k ``I-X`` tags, the k spans of type X opened earliest continue:
    nested spans of one type lie inside each other, so the outer ones outlive the inner ones.
    An ``I-X`` with no open span of its type starts one (a lenient reading of broken IOB), and is
    reported by :func:`iob_repairs`. Only the types open or tagged at a token are looked at, so
    the work is linear in the number of tags.
    """
    open_spans: dict[str, list[Span]] = {}  # label -> open spans, earliest first
    done: list[Span] = []
    for i, token_tags in enumerate(tags):
        if token_tags == OUTSIDE:  # most tokens: every open span ends before this one
            for spans in open_spans.values():
                for s in spans:
                    s.end = i
                    done.append(s)
            open_spans.clear()
            continue
        begins: Counter[str] = Counter()
        inside: Counter[str] = Counter()
        for tag in token_tags:
            if tag == "O":
                continue
            prefix, _, label = tag.partition("-")
            (begins if prefix == "B" else inside)[label] += 1
        for label in [*open_spans, *(x for x in inside if x not in open_spans)]:
            spans = open_spans.get(label, [])
            keep = inside.get(label, 0)
            for s in spans[keep:]:
                s.end = i
                done.append(s)
            kept = spans[:keep]
            kept += [Span(i, -1, label) for _ in range(keep - len(kept))]
            if kept:
                open_spans[label] = kept
            else:
                open_spans.pop(label, None)
        for label, n in begins.items():
            open_spans.setdefault(label, []).extend(Span(i, -1, label) for _ in range(n))
    for spans in open_spans.values():
        for s in spans:
            s.end = len(tags)
            done.append(s)
    done.sort(key=lambda s: (s.start, -s.end, s.label))
    return done


def token_repairs(tags: list[list[str]]) -> list[int]:
    """Per token, how many of its ``I-X`` tags continue no open span of type X (read as ``B-X``)."""
    out = []
    prev: Counter[str] = Counter()
    for token_tags in tags:
        if token_tags == OUTSIDE:
            out.append(0)
            prev = Counter()
            continue
        cur: Counter[str] = Counter()
        inside: Counter[str] = Counter()
        for tag in token_tags:
            if tag != "O":
                prefix, _, label = tag.partition("-")
                cur[label] += 1
                if prefix == "I":
                    inside[label] += 1
        out.append(sum(max(0, n - prev[label]) for label, n in inside.items()))
        prev = cur
    return out


def iob_repairs(tags: list[list[str]]) -> int:
    """How many ``I-X`` tags continue no open span of type X (read leniently as ``B-X``)."""
    return sum(token_repairs(tags))


def nested_count(spans: list[Span]) -> int:
    """How many spans lie inside a longer span (spans of one sentence), in O(n log n)."""
    n, max_end, i = 0, -1, 0
    ordered = sorted(spans, key=lambda s: (s.start, -s.end))
    while i < len(ordered):
        j = i
        while j < len(ordered) and (ordered[j].start, ordered[j].end) == (
            ordered[i].start,
            ordered[i].end,
        ):
            j += 1
        # every span before this group starts earlier, or at the same token and ends later
        if max_end >= ordered[i].end:
            n += j - i
        max_end = max(max_end, ordered[i].end)
        i = j
    return n


def _is_tag(field_: str) -> bool:
    return field_ == "O" or (len(field_) > 2 and field_[:2] in ("B-", "I-"))


def classify(line: str, types: frozenset[str] | None) -> tuple[str, str] | None:
    """Why a non-blank line cannot be read as ``TOKEN TAG...``: (reason, detail), or None."""
    parts = line.split()
    if len(parts) < 2:
        reason = "empty_token" if line[:1].isspace() else "missing_tag"
        return reason, f"expected a token and at least one tag, got {line!r}"
    fields = parts[1:]
    bad = [t for t in fields if not _is_tag(t)]
    if bad:
        if len(bad) < len(fields) and not _is_tag(fields[0]):
            return "extra_fields", (
                f"fields {bad} between the token and its tags (a token with a space inside, "
                f"or an extra column)"
            )
        return "bad_tag", f"not an IOB tag: {bad[0]!r} (expected O, B-TYPE or I-TYPE)"
    if types is not None:
        unknown = sorted({t[2:] for t in fields if t != "O"} - types)
        if unknown:
            return "unknown_type", (
                f"entity types {unknown} are not in the taxonomy; pass --taxonomy with a file "
                f"that declares them"
            )
    return None


def _has_blank_separator(lines: list[str]) -> bool:
    """Whether a blank line separates two token lines anywhere in the file."""
    seen_token = blank_after = False
    for line in lines:
        if line.strip():
            if blank_after:
                return True
            seen_token = True
        elif seen_token:
            blank_after = True
    return False


@dataclass
class ConllReader:
    """Reads one CoNLL file into sentences, tallying every token line in ``tally``.

    ``types``: the entity types a tag may name (None: any). ``sentence_end``: tokens after which
    a sentence ends (tagged ``O`` only, so an entity is never cut); None splits at them only when
    the file has no blank lines; an empty collection never splits at a token.
    """

    types: frozenset[str] | None = None
    sentence_end: Iterable[str] | None = None
    strict: bool = False
    tally: LineTally = field(default_factory=LineTally)

    def read(self, path: str | Path) -> Iterator[Sentence]:
        p = Path(path)
        try:
            lines = p.read_text(encoding="utf-8-sig").splitlines()
        except (OSError, UnicodeDecodeError) as e:
            raise InputError(f"{p}: cannot read as UTF-8 CoNLL ({e})") from e
        if self.sentence_end is not None:
            ends = frozenset(self.sentence_end)
        else:
            ends = frozenset() if _has_blank_separator(lines) else frozenset(DEFAULT_SENTENCE_END)
        tokens: list[str] = []
        tags: list[list[str]] = []
        first_line = index = 0
        for n, line in enumerate([*lines, ""], start=1):
            at_end = not line.strip()
            if not at_end:
                self.tally.token_lines += 1
                problem = classify(line, self.types)
                if problem is not None:
                    self._skip(p, n, line, *problem)
                    continue
                parts = line.split()
                if not tokens:
                    first_line = n
                tokens.append(parts[0])
                tags.append(parts[1:])
                at_end = parts[0] in ends and parts[1:] == ["O"]
            if at_end and tokens:
                yield self._sentence(index, first_line, tokens, tags)
                index += 1
                tokens, tags = [], []

    def _skip(self, path: Path, n: int, line: str, reason: str, detail: str) -> None:
        if self.strict:
            raise InputError(f"{path}:{n}: {detail}")
        self.tally.skipped[reason] += 1
        self.tally.issues.append(LineIssue(n, reason, detail, line))

    def _sentence(self, index: int, line: int, tokens: list[str], tags: list[list[str]]):
        s = Sentence(index, line, tokens, tags, decode_nested(tags), token_repairs(tags))
        repaired = sum(1 for r in s.repairs if r)
        self.tally.repaired += repaired
        self.tally.kept += len(tokens) - repaired
        return s


def read_conll(path: str | Path, **options: Any) -> Iterator[Sentence]:
    """Yield the sentences of a CoNLL file (``options``: those of :class:`ConllReader`)."""
    return ConllReader(**options).read(path)
