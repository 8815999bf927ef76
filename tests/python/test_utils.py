"""mlx.utils: tree_map, tree_map_with_path, tree_flatten, tree_unflatten, tree_reduce,
tree_merge."""
from collections import namedtuple

import numpy as np
import pytest

import mlx.core as mx
from mlx.utils import (
    tree_flatten,
    tree_map,
    tree_map_with_path,
    tree_merge,
    tree_reduce,
    tree_unflatten,
)

TREE = {"a": [1, 2, {"b": 3}], "c": (4, 5), "d": {}}


def test_tree_flatten_paths_and_order():
    assert tree_flatten(TREE) == [
        ("a.0", 1),
        ("a.1", 2),
        ("a.2.b", 3),
        ("c.0", 4),
        ("c.1", 5),
    ]
    assert tree_flatten([]) == []
    assert tree_flatten({}) == []
    # A leaf as the whole tree has the empty path.
    assert tree_flatten(5) == [("", 5)]
    assert tree_flatten(None) == [("", None)]


def test_tree_flatten_prefix():
    # The prefix is joined with a dot and the first character dropped.
    assert tree_flatten({"w": 1}, prefix=".model") == [("model.w", 1)]
    assert tree_flatten({"w": [1]}, prefix="x") == [(".w.0", 1)]


def test_tree_flatten_destination_and_is_leaf():
    dest = {}
    out = tree_flatten(TREE, destination=dest)
    assert out is dest
    assert dest == {"a.0": 1, "a.1": 2, "a.2.b": 3, "c.0": 4, "c.1": 5}
    lst = [("z", 0)]
    tree_flatten([7], destination=lst)
    assert lst == [("z", 0), ("0", 7)]
    flat = tree_flatten(
        {"a": (1, 2), "b": [3]}, is_leaf=lambda x: isinstance(x, tuple)
    )
    assert flat == [("a", (1, 2)), ("b.0", 3)]
    with pytest.raises(ValueError):
        tree_flatten([1], destination=3)


def test_tree_flatten_arrays():
    a, b = mx.array([1.0, 2.0]), mx.zeros((2, 2))
    flat = tree_flatten({"layers": [{"weight": a}, {"weight": b}]})
    assert [k for k, _ in flat] == ["layers.0.weight", "layers.1.weight"]
    assert flat[0][1] is a and flat[1][1] is b


def test_tree_unflatten_roundtrip():
    back = tree_unflatten(tree_flatten(TREE))
    # tuples come back as lists, empty containers vanish
    assert back == {"a": [1, 2, {"b": 3}], "c": [4, 5]}
    assert tree_unflatten([("0", 1), ("1", 2)]) == [1, 2]
    assert tree_unflatten([("a.1", 1), ("a.0", 2)]) == {"a": [2, 1]}
    assert tree_unflatten({"a.b": 1, "a.c.0": 2}) == {"a": {"b": 1, "c": [2]}}
    # missing list positions become empty dicts
    assert tree_unflatten([("a.0", 1), ("a.2", 3)]) == {"a": [1, {}, 3]}
    assert tree_unflatten([("", 5)]) == 5
    # numeric keys over 9 order numerically
    flat = [(str(i), i) for i in range(12)]
    assert tree_unflatten(flat) == list(range(12))


def test_tree_unflatten_model_like():
    w = [("layers.0.weight", 1), ("layers.0.bias", 2), ("layers.1.weight", 3), ("ln.bias", 4)]
    assert tree_unflatten(w) == {
        "layers": [{"weight": 1, "bias": 2}, {"weight": 3}],
        "ln": {"bias": 4},
    }


def test_tree_map():
    assert tree_map(lambda x: x * 10, TREE) == {
        "a": [10, 20, {"b": 30}],
        "c": (40, 50),
        "d": {},
    }
    assert isinstance(tree_map(lambda x: x, TREE)["c"], tuple)
    assert tree_map(lambda x: x * 2, 7) == 14
    assert tree_map(lambda x, y: x + y, TREE, TREE)["a"][2]["b"] == 6
    # extra trees may have more keys; the first tree's structure wins
    assert tree_map(lambda x, y: (x, y), {"a": 1}, {"a": 2, "b": 3}) == {"a": (1, 2)}
    assert tree_map(lambda x, y: (x, y), [1, 2], [3, 4, 5]) == [(1, 3), (2, 4)]
    with pytest.raises(KeyError):
        tree_map(lambda x, y: x, {"a": 1, "b": 2}, {"a": 3})
    # None is a leaf
    assert tree_map(lambda x: x, {"a": None}) == {"a": None}
    # is_leaf
    out = tree_map(lambda x: len(x), {"a": [1, 2], "b": [[1]]}, is_leaf=lambda x: isinstance(x, list))
    assert out == {"a": 2, "b": 1}
    Point = namedtuple("Point", "x y")
    p = tree_map(lambda v: v + 1, Point(1, 2))
    assert isinstance(p, Point) and p == Point(2, 3)


def test_tree_map_arrays():
    params = {"w": mx.array([1.0, 2.0]), "b": [mx.array(3.0)]}
    doubled = tree_map(lambda x: 2 * x, params)
    np.testing.assert_allclose(np.array(doubled["w"]), [2.0, 4.0])
    np.testing.assert_allclose(np.array(doubled["b"][0]), 6.0)


def test_tree_map_with_path():
    assert tree_map_with_path(lambda p, x: p, TREE) == {
        "a": ["a.0", "a.1", {"b": "a.2.b"}],
        "c": ("c.0", "c.1"),
        "d": {},
    }
    assert tree_map_with_path(lambda p, x: p, {"w": [0]}, path="model") == {"w": ["model.w.0"]}
    assert tree_map_with_path(lambda p, x, y: (p, x + y), [1], [2]) == [("0", 3)]
    assert tree_map_with_path(lambda p, x: p, 5) is None
    out = tree_map_with_path(
        lambda p, x: p, {"a": (1, 2)}, is_leaf=lambda x: isinstance(x, tuple)
    )
    assert out == {"a": "a"}


def test_tree_reduce():
    assert tree_reduce(lambda acc, x: acc + x, TREE, 0) == 15
    assert tree_reduce(lambda acc, x: acc + x, TREE) == 15
    assert tree_reduce(lambda acc, x: acc + [x], {"a": [1, 2]}, []) == [1, 2]
    assert tree_reduce(lambda acc, x: acc + x, {}) is None
    assert tree_reduce(lambda acc, x: acc + x, {}, 7) == 7
    n = tree_reduce(
        lambda acc, x: acc + len(x), {"a": (1, 2), "b": [(3,)]}, 0, is_leaf=lambda x: isinstance(x, tuple)
    )
    assert n == 3
    total = tree_reduce(lambda acc, x: acc + mx.sum(x), {"a": mx.ones((2, 3)), "b": [mx.ones(4)]}, 0)
    assert total.item() == 10.0


def test_tree_merge():
    assert tree_merge({"a": 1, "b": {"c": 2}}, {"b": {"d": 3}}) == {"a": 1, "b": {"c": 2, "d": 3}}
    assert tree_merge([1, None], [None, 2]) == [1, 2]
    assert tree_merge({"a": [1, 2]}, {"a": [None, None, 3]}) == {"a": [1, 2, 3]}
    assert tree_merge(None, {"a": 2}) == {"a": 2}
    assert tree_merge({"a": 2}, {}) == {"a": 2}
    assert tree_merge({"a": 1}, {"a": 2}, merge_fn=lambda a, b: a + b) == {"a": 3}
    with pytest.raises(ValueError):
        tree_merge({"a": 1}, {"a": 2})
    with pytest.raises(ValueError):
        tree_merge({"a": [1]}, {"a": 2})


@pytest.mark.parametrize("a, b", [
    ({"a": {}}, {"b": 1}),  # {} against nothing: two empty values
    ({"a": None}, {"a": None}),
    ({"a": [1]}, {"a": {"x": 2}}),  # a list against a dict
    ([1, 2], [3]),
])
def test_tree_merge_conflicts_as_mlx(a, b):
    with pytest.raises(ValueError, match="^Trees contain elements at the same locations but no"):
        tree_merge(a, b)


def test_tree_merge_empty_against_value():
    assert tree_merge({"a": 1}, {"a": {}}) == {"a": 1}
    assert tree_merge({"a": {}}, {"a": 1}) == {"a": 1}
    assert tree_merge([1, {}], [{}, 2]) == [1, 2]
    assert tree_merge({"a": (1, None)}, {"a": (None, 2)}) == {"a": (1, 2)}
    assert tree_merge({"a": None}, {"a": None}, merge_fn=lambda x, y: "both") == {"a": "both"}
