"""Errors become Python exceptions (never crashes), and the process keeps working after each.

Op construction errors -> ValueError; evaluation errors -> RuntimeError; wrong Python argument
types -> TypeError. A bad axis raises an error that is both a ValueError and an IndexError (MLX
raises IndexError there)."""
import numpy as np
import pytest

import mlx.core as mx


def still_works():
    r = (mx.arange(4).reshape(2, 2) + 1) @ mx.ones((2, 1))
    assert r.tolist() == [[3.0], [7.0]]


CASES = [
    # (callable, exception, message regex)
    (lambda: mx.array([[1, 2, 3], [4, 5, 6]]) + mx.array([1, 2]), ValueError, "broadcast"),
    (lambda: mx.add(mx.zeros((2, 3)), mx.zeros((4, 1, 2))), ValueError, "broadcast"),
    (lambda: mx.broadcast_to(mx.zeros((2, 3)), (3, 3)), ValueError, "broadcast"),
    (lambda: mx.full((2,), mx.array([1, 2, 3])), ValueError, "broadcast"),
    (lambda: mx.array([[1, 2, 3], [4, 5, 6]]).reshape(4), ValueError, r"reshape.*size 6"),
    (lambda: mx.reshape(mx.zeros((2, 3)), (4,)), ValueError, r"\[reshape\]"),
    (lambda: mx.zeros((2, 3)).reshape(-1, -1), ValueError, "infer"),
    (lambda: mx.zeros((2, 3)).transpose(0, 0), ValueError, "[Rr]epeat"),
    (lambda: mx.zeros((2, 3)).transpose(0), ValueError, "axes"),
    (lambda: mx.zeros((2, 3)).sum((0, 0)), ValueError, "[Dd]uplicate"),
    (lambda: mx.matmul(mx.zeros((2, 3)), mx.zeros((2, 3))), ValueError, r"\[matmul\]"),
    (lambda: mx.matmul(mx.array(1.0), mx.zeros((1,))), ValueError, r"\[matmul\]"),
    (lambda: mx.zeros(-1), ValueError, "[Nn]egative"),
    (lambda: mx.zeros((2, -1)), ValueError, "[Nn]egative"),
    (lambda: mx.arange(0, 5, 0), ValueError, "step"),
    (lambda: mx.arange(True), ValueError, "bool"),
    (lambda: mx.arange(3, dtype=mx.bool_), ValueError, "bool"),
    (lambda: mx.array([1, 2]).item(), ValueError, "length-1"),
    (lambda: float(mx.array([1.0, 2.0])), ValueError, "length-1"),
    (lambda: bool(mx.zeros((2, 2))), ValueError, "length-1"),
    (lambda: mx.set_default_device(mx.gpu), ValueError, "gpu"),
    (lambda: mx.default_stream(mx.gpu), ValueError, "gpu"),
    (lambda: mx.new_stream(mx.gpu), ValueError, "gpu"),
    (lambda: mx.zeros(2, stream=mx.gpu), ValueError, "gpu"),
    (lambda: mx.array([1, 2]) + 2**40, ValueError, "overflow"),
    # wrong Python types
    (lambda: mx.array([1, 2], dtype="float32"), TypeError, "dtype"),
    (lambda: mx.array([1, 2]).astype("float32"), TypeError, "dtype"),
    (lambda: mx.array([1, 2]).astype(None), TypeError, "dtype"),
    (lambda: mx.zeros((2,), dtype=int), TypeError, "dtype"),
    (lambda: mx.zeros("a"), TypeError, None),
    (lambda: mx.zeros((2, "a")), TypeError, None),
    (lambda: mx.zeros((2.0, 3)), TypeError, None),
    (lambda: mx.reshape(mx.zeros((6,)), 6), TypeError, None),
    (lambda: mx.zeros((6,)).reshape("a"), TypeError, None),
    (lambda: mx.zeros((6,)).reshape(2.0, 3), TypeError, None),
    (lambda: mx.broadcast_to(mx.zeros((1,)), 6), TypeError, None),
    (lambda: mx.zeros((2,)).sum(axis="a"), TypeError, None),
    (lambda: mx.zeros((2,)).sum(1.5), TypeError, None),
    (lambda: mx.zeros_like(3), TypeError, None),
    (lambda: mx.arange("a"), TypeError, None),
    (lambda: mx.arange(), TypeError, None),
    (lambda: mx.array([1, 2]) + None, TypeError, None),
    (lambda: mx.array([1, 2]) + "x", ValueError, "Cannot perform addition"),
    (lambda: mx.array([1.0]) @ 2, TypeError, None),
    (lambda: 2 @ mx.array([1.0]), TypeError, None),
    (lambda: mx.zeros(2, stream="cpu"), TypeError, "stream"),
    (lambda: mx.Device("cpu"), TypeError, None),
    (lambda: mx.set_default_stream(mx.cpu), TypeError, None),
    (lambda: mx.set_memory_limit("a"), TypeError, None),
    (lambda: mx.set_cache_limit(-1), TypeError, None),
    (lambda: mx.Dtype(), TypeError, None),
    (lambda: mx.Stream(), TypeError, None),
    (lambda: len(mx.array(1)), TypeError, "0-dimensional"),
    (lambda: iter(mx.array(1)), TypeError, "0-dimensional"),
    (lambda: mx.array(2.5).__index__(), TypeError, "integer"),
    (lambda: float(mx.array(1 + 1j)), TypeError, None),
    (lambda: mx.array(None), TypeError, None),
    (lambda: mx.array(1).nonexistent, AttributeError, None),
]


@pytest.mark.parametrize("fn, exc, pattern", CASES, ids=range(len(CASES)))
def test_error(fn, exc, pattern):
    with pytest.raises(exc, match=pattern):
        fn()
    still_works()


@pytest.mark.parametrize(
    "fn",
    [
        lambda: mx.zeros((2, 3)).sum(2),
        lambda: mx.zeros((2, 3)).sum(-3),
        lambda: mx.sum(mx.zeros((2, 3)), axis=(0, 5)),
        lambda: mx.zeros((2, 3)).transpose(0, 2),
        lambda: mx.transpose(mx.zeros((2, 3, 4)), (0, 1, 3)),
    ],
)
def test_bad_axis_is_value_and_index_error(fn):
    with pytest.raises(ValueError, match="[Ii]nvalid axis"):
        fn()
    with pytest.raises(IndexError):
        fn()
    still_works()


def test_eval_errors_are_runtime_errors():
    big = mx.zeros((2**20, 2**20))  # 4 TiB: fails when evaluated, not when built
    with pytest.raises(RuntimeError, match="allocate"):
        mx.eval(big)
    with pytest.raises(RuntimeError):
        repr(big)
    with pytest.raises(RuntimeError):
        np.array(big)
    s = mx.ones((2**20, 2**20)).sum()
    with pytest.raises(RuntimeError):
        s.item()
    t = mx.ones((2**20, 2**20)).sum() + 1
    mx.async_eval(t)
    with pytest.raises(RuntimeError):
        t.tolist()
    still_works()


def test_error_messages_name_the_op():
    with pytest.raises(ValueError) as info:
        mx.zeros((6,)).reshape(4)
    assert str(info.value).startswith("[reshape]")


def test_many_errors_in_a_row():
    for _ in range(200):
        with pytest.raises(ValueError):
            mx.zeros((2, 3)) + mx.zeros((4,))
        with pytest.raises(TypeError):
            mx.zeros((2,), dtype="x")
    still_works()
