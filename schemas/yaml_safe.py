"""YAML read safely: plain data only, and a bound on what its aliases expand to.

``yaml.safe_load`` refuses code but not size: a few hundred bytes of nested aliases
(``b: [*a, *a, *a]``, ``c: [*b, *b, *b]``, ...) stand for billions of nodes, and whoever walks
the result (a schema check, a hash, JSON) walks every one. Here the document is composed first
(aliases are shared nodes, so that is cheap), its expanded size is counted on the node graph,
and only a document under the bound is built.
"""

from __future__ import annotations

from typing import Any

import yaml

MAX_NODES = 200_000  # far above any taxonomy or config, far below what hurts


class YAMLTooLarge(yaml.YAMLError):
    """The document expands, through its aliases, to more nodes than allowed (or into itself)."""


def load_yaml(text: str, max_nodes: int = MAX_NODES) -> Any:
    """Like ``yaml.safe_load(text)``, raising ``YAMLTooLarge`` (a ``yaml.YAMLError``) for an
    alias bomb, a recursive alias or nesting too deep to read."""
    loader = yaml.SafeLoader(text)
    try:
        try:
            node = loader.get_single_node()
        except RecursionError:
            raise YAMLTooLarge("nested too deeply to read") from None
        if node is None:
            return None
        size = _expanded_size(node, {}, set(), max_nodes)
        if size > max_nodes:
            raise YAMLTooLarge(
                f"its aliases expand to more than {max_nodes} nodes; write the values out "
                "instead of nesting aliases"
            )
        return loader.construct_document(node)
    finally:
        loader.dispose()


def _expanded_size(node: yaml.Node, sizes: dict[int, int], path: set[int], limit: int) -> int:
    """Nodes in the document once every alias is expanded, counted up to just over ``limit``."""
    key = id(node)
    if key in sizes:
        return sizes[key]
    if key in path:
        raise YAMLTooLarge("an alias refers to the node it is inside of (a recursive document)")
    if isinstance(node, yaml.ScalarNode):
        return 1
    path.add(key)
    children = (
        node.value
        if isinstance(node, yaml.SequenceNode)
        else (child for pair in node.value for child in pair)
    )
    total = 1
    for child in children:
        total += _expanded_size(child, sizes, path, limit)
        if total > limit:
            break
    path.discard(key)
    sizes[key] = total
    return total
