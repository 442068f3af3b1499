"""What differs between a project's labelling config on the server and the one akhbar would
generate, said in a few words a curator can act on.

A team may edit a project's config in Label Studio's UI (a colour, a hint, a label added for
a pilot); ``annotate push`` keeps that edit unless told to replace it (``--update-config``),
and says what differs. Labels are compared per control (``entity``, ``trigger``, the
relations): the labels only one side has, then the labels whose attributes differ (colour,
hotkey, hint, display), then anything else (style, layout).
"""

from __future__ import annotations

import xml.etree.ElementTree as ET

_LABEL_TAGS = {"Label", "Relation", "Choice"}
_SHOWN = 4  # labels named in a message before "and N more"


def _names(items: list[str]) -> str:
    shown = ", ".join(items[:_SHOWN])
    return shown + (f" and {len(items) - _SHOWN} more" if len(items) > _SHOWN else "")


def _controls(root: ET.Element) -> dict[str, dict[str, dict[str, str]]]:
    """{control name: {label value: its attributes}} for every tag that holds labels."""
    out: dict[str, dict[str, dict[str, str]]] = {}
    for parent in root.iter():
        labels = [c for c in parent if c.tag in _LABEL_TAGS and "value" in c.attrib]
        if labels:
            name = parent.get("name") or parent.tag
            out.setdefault(name, {}).update({c.get("value", ""): dict(c.attrib) for c in labels})
    return out


def _skeleton(root: ET.Element) -> list[tuple[str, tuple, str]]:
    """Everything but the labels: tags, attributes and text, in document order."""
    return [
        (e.tag, tuple(sorted(e.attrib.items())), (e.text or "").strip())
        for e in root.iter()
        if e.tag not in _LABEL_TAGS
    ]


def describe(server: str, ours: str) -> list[str]:
    """The differences between the server's config and ours, one short phrase each (empty
    if they are the same config, whitespace aside)."""
    if server.strip() == ours.strip():
        return []
    try:
        theirs_root, ours_root = ET.fromstring(server), ET.fromstring(ours)
    except ET.ParseError:
        return ["the server's config is not XML akhbar can read"]
    theirs, mine = _controls(theirs_root), _controls(ours_root)
    out: list[str] = []
    for control in sorted(set(theirs) | set(mine)):
        t, m = theirs.get(control, {}), mine.get(control, {})
        if not m:
            out.append(f"control {control!r} only on the server")
            continue
        if not t:
            out.append(f"control {control!r} missing on the server")
            continue
        only_server = [v for v in t if v not in m]
        only_ours = [v for v in m if v not in t]
        changed = [v for v in m if v in t and t[v] != m[v]]
        if only_server:
            out.append(f"{control}: labels only on the server: {_names(only_server)}")
        if only_ours:
            out.append(f"{control}: labels missing on the server: {_names(only_ours)}")
        if changed:
            keys = sorted(
                {k for v in changed for k in set(t[v]) | set(m[v]) if t[v].get(k) != m[v].get(k)}
            )
            out.append(f"{control}: {', '.join(keys)} of {_names(changed)} edited")
    if _skeleton(theirs_root) != _skeleton(ours_root):
        out.append("layout or style edited")
    return out or ["whitespace or attribute order only"]
