"""The registry of cleaning rules: small named, versioned functions ``(text, ctx) -> (text, n)``.

A rule returns the new text and how many times it applied (0 when it changed nothing), so an
article's provenance can say exactly which rules, in which version, touched it. A rule whose
behaviour changes gets a new version suffix instead of silently changing under the same name.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from akhbar.schemas.errors import UsageError


@dataclass(slots=True)
class RuleContext:
    """What a rule may know about the article besides its text."""

    title: str = ""  # the cleaned title (for spotting it repeated in the body)
    source: str | None = None
    drop_lines: re.Pattern[str] | None = None  # this source's configured boilerplate lines
    truncated: bool = False  # set by a rule that removed a truncation marker
    published: str | None = None  # the date of a date line a rule removed (ISO 8601)
    counts: dict[str, int] = field(default_factory=dict)


Rule = Callable[[str, RuleContext], tuple[str, int]]

_RULES: dict[str, Rule] = {}
_NAME = re.compile(r"[a-z][a-z0-9_]*_v[0-9]+")


def rule(name: str) -> Callable[[Rule], Rule]:
    """Register a rule under ``name`` (``lowercase_words_vN``)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"rule name {name!r} must look like 'strip_something_v1'")

    def register(fn: Rule) -> Rule:
        if name in _RULES:
            raise ValueError(f"rule {name!r} is registered twice")
        _RULES[name] = fn
        fn.rule_name = name  # type: ignore[attr-defined]
        return fn

    return register


def get_rule(name: str) -> Rule:
    """The rule registered under ``name``; an unknown name lists the known ones."""
    try:
        return _RULES[name]
    except KeyError:
        raise UsageError(
            f"unknown cleaning rule {name!r}; known rules are: {', '.join(known_rules())}"
        ) from None


def known_rules() -> list[str]:
    return sorted(_RULES)


def apply(names: tuple[str, ...], text: str, ctx: RuleContext) -> tuple[str, bool]:
    """Run the named rules in order, adding their counts to ``ctx.counts``.

    Returns the text and whether any rule changed it.
    """
    changed = False
    counts = ctx.counts
    for name in names:
        text, n = _RULES[name](text, ctx)
        if n:
            counts[name] = counts.get(name, 0) + n
            changed = True
    return text, changed
