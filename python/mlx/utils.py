"""Utilities for working with trees of arrays (nested lists, tuples and dicts).

A *tree* is a Python list, tuple or dict whose elements are trees or leaves (anything
else: arrays, numbers, ``None``, ...). Paths name a leaf by joining the keys and indices
that lead to it with dots, e.g. ``"layers.0.weight"``.
"""

from collections import defaultdict
from typing import Any, Callable, Dict, List, Optional, Tuple, Union

__all__ = [
    "tree_map",
    "tree_map_with_path",
    "tree_flatten",
    "tree_unflatten",
    "tree_reduce",
    "tree_merge",
]


def _is_container(x):
    return isinstance(x, (list, tuple, dict))


def tree_map(
    fn: Callable, tree: Any, *rest: Any, is_leaf: Optional[Callable] = None
) -> Any:
    """Apply ``fn`` to the leaves of ``tree`` and return a tree of the same structure.

    Additional trees in ``rest`` must have (at least) the structure of ``tree``; their
    corresponding leaves are passed as further arguments to ``fn``.

    Args:
        fn: the function applied to the leaves.
        tree: the tree whose structure is kept.
        *rest: extra trees supplying further arguments to ``fn``.
        is_leaf: an optional predicate; a subtree for which it returns ``True`` is treated
            as a leaf.
    """
    if is_leaf is not None and is_leaf(tree):
        return fn(tree, *rest)
    if isinstance(tree, (list, tuple)):
        items = [
            tree_map(fn, child, *(r[i] for r in rest), is_leaf=is_leaf)
            for i, child in enumerate(tree)
        ]
        if isinstance(tree, tuple):
            return type(tree)(*items) if hasattr(tree, "_fields") else tuple(items)
        return items
    if isinstance(tree, dict):
        return {
            k: tree_map(fn, child, *(r[k] for r in rest), is_leaf=is_leaf)
            for k, child in tree.items()
        }
    return fn(tree, *rest)


def tree_map_with_path(
    fn: Callable,
    tree: Any,
    *rest: Any,
    is_leaf: Optional[Callable] = None,
    path: Optional[Any] = None,
) -> Any:
    """Like :func:`tree_map`, but ``fn`` also receives the leaf's path as first argument.

    Args:
        fn: called as ``fn(path, leaf, *other_leaves)``.
        tree: the tree whose structure is kept.
        *rest: extra trees.
        is_leaf: an optional predicate marking subtrees as leaves.
        path: a prefix for the paths (none by default).
    """

    def join(k):
        return str(k) if path is None else f"{path}.{k}"

    if is_leaf is not None and is_leaf(tree):
        return fn(path, tree, *rest)
    if isinstance(tree, (list, tuple)):
        items = [
            tree_map_with_path(
                fn, child, *(r[i] for r in rest), is_leaf=is_leaf, path=join(i)
            )
            for i, child in enumerate(tree)
        ]
        if isinstance(tree, tuple):
            if hasattr(tree, "_fields"):
                return type(tree)(*items)
            return tuple(items)
        return items
    if isinstance(tree, dict):
        return {
            k: tree_map_with_path(
                fn, child, *(r[k] for r in rest), is_leaf=is_leaf, path=join(k)
            )
            for k, child in tree.items()
        }
    return fn(path, tree, *rest)


def tree_flatten(
    tree: Any,
    prefix: str = "",
    is_leaf: Optional[Callable] = None,
    destination: Optional[Union[List[Tuple[str, Any]], Dict[str, Any]]] = None,
) -> Union[List[Tuple[str, Any]], Dict[str, Any]]:
    """Flatten a tree into ``(path, leaf)`` pairs.

    Paths join keys and list indices with dots: ``{"a": [x, y]}`` becomes
    ``[("a.0", x), ("a.1", y)]``. A leaf given as the whole tree has the empty path.

    Args:
        tree: the tree to flatten.
        prefix: a prefix for the paths. The paths are built as ``prefix + "." + key`` and
            the first character of the result is dropped, so ``prefix=".model"`` yields
            ``"model.a.0"``.
        is_leaf: an optional predicate marking subtrees as leaves.
        destination: a list to append the pairs to, or a dict to store them in. A new
            list by default.

    Returns:
        ``destination``, or a new list of pairs.
    """
    if destination is None:
        destination = []
    if isinstance(destination, dict):
        add = destination.__setitem__
    elif isinstance(destination, list):
        add = lambda k, v: destination.append((k, v))
    else:
        raise ValueError("[tree_flatten] destination must be a list or a dict.")

    def walk(node, pre):
        if is_leaf is not None and is_leaf(node):
            add(pre[1:], node)
        elif isinstance(node, (list, tuple)):
            for i, child in enumerate(node):
                walk(child, f"{pre}.{i}")
        elif isinstance(node, dict):
            for k, child in node.items():
                walk(child, f"{pre}.{k}")
        else:
            add(pre[1:], node)

    walk(tree, prefix)
    return destination


def tree_unflatten(tree: Union[List[Tuple[str, Any]], Dict[str, Any]]) -> Any:
    """Rebuild a tree from ``(path, leaf)`` pairs (the inverse of :func:`tree_flatten`).

    A level whose keys are all integers becomes a list (missing indices are filled with
    empty dicts), any other level a dict. A single pair with the empty path returns its
    leaf.

    Args:
        tree: a list of ``(path, leaf)`` pairs or a dict from paths to leaves.
    """
    items = list(tree.items()) if isinstance(tree, dict) else list(tree)
    if len(items) == 1 and items[0][0] == "":
        return items[0][1]

    groups = defaultdict(list)
    order = []
    for key, value in items:
        head, _, tail = str(key).partition(".")
        if head not in groups:
            order.append(head)
        groups[head].append((tail, value))

    def build(entries):
        if len(entries) == 1 and entries[0][0] == "":
            return entries[0][1]
        return tree_unflatten(entries)

    if all(k.isdigit() for k in order):
        indexed = {int(k): build(groups[k]) for k in order}
        n = max(indexed) + 1 if indexed else 0
        return [indexed.get(i, {}) for i in range(n)]
    return {k: build(groups[k]) for k in order}


def tree_reduce(fn, tree, initializer=None, is_leaf=None):
    """Reduce the leaves of a tree: ``acc = fn(acc, leaf)`` in flattening order.

    Args:
        fn: the reducing function ``fn(accumulator, leaf)``.
        tree: the tree.
        initializer: the initial accumulator. Without one, the first leaf is.
        is_leaf: an optional predicate marking subtrees as leaves.
    """
    acc = initializer
    started = initializer is not None

    def walk(node):
        if is_leaf is not None and is_leaf(node):
            leaf(node)
        elif isinstance(node, (list, tuple)):
            for child in node:
                walk(child)
        elif isinstance(node, dict):
            for child in node.values():
                walk(child)
        else:
            leaf(node)

    def leaf(x):
        nonlocal acc, started
        if started:
            acc = fn(acc, x)
        else:
            acc = x
            started = True

    walk(tree)
    return acc


def tree_merge(tree_a, tree_b, merge_fn=None):
    """Merge two trees into one.

    Dicts merge key by key, lists and tuples element by element (the shorter padded with
    ``None``). Where one tree has a value and the other has nothing (``None`` or an empty
    container), the value is taken. Anything else (two leaves, two empty values of
    different kinds, a list against a dict) goes to ``merge_fn(a, b)``; without a merge
    function that is an error.

    Args:
        tree_a, tree_b: the trees.
        merge_fn: optional ``merge_fn(a, b)`` for the places where both trees have values.
    """
    if isinstance(tree_a, dict) and isinstance(tree_b, dict):
        keys = list(tree_a.keys()) + [k for k in tree_b.keys() if k not in tree_a]
        return {k: tree_merge(tree_a.get(k), tree_b.get(k), merge_fn) for k in keys}
    if isinstance(tree_a, (list, tuple)) and isinstance(tree_b, (list, tuple)):
        n = max(len(tree_a), len(tree_b))
        merged = [
            tree_merge(
                tree_a[i] if i < len(tree_a) else None,
                tree_b[i] if i < len(tree_b) else None,
                merge_fn,
            )
            for i in range(n)
        ]
        return tuple(merged) if isinstance(tree_a, tuple) else merged
    a_empty, b_empty = _is_nothing(tree_a), _is_nothing(tree_b)
    if a_empty and not b_empty:
        return tree_b
    if b_empty and not a_empty:
        return tree_a
    if merge_fn is None:
        raise ValueError(
            "Trees contain elements at the same locations but no merge function was provided"
        )
    return merge_fn(tree_a, tree_b)


def _is_nothing(x):
    return x is None or (_is_container(x) and len(x) == 0)
