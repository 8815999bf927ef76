"""Replays a generated list of random graph steps: shared by test_compile.py's corpus and
scripts/fuzz_shapeless.py (which imports it from here)."""
import numpy as np


def run_steps(xs, steps, unary, binary, reduce, random_keepdims=False):
    """steps: (kind, seed) pairs, kind "u" (a unary op), "b" (binary) or "r" (a reduction over a
    random axis, keepdims or, with random_keepdims, two times in three); each step's seed picks
    its op and operands among the values so far. Returns the last value and the first new one
    (xs[0] when there is none)."""
    vals = list(xs)
    for kind, r in steps:
        pick = np.random.default_rng(r)
        if kind == "u":
            vals.append(unary[pick.integers(len(unary))](vals[pick.integers(len(vals))]))
        elif kind == "b":
            a, b = vals[pick.integers(len(vals))], vals[pick.integers(len(vals))]
            vals.append(binary[pick.integers(len(binary))](a, b))
        else:
            v = vals[pick.integers(len(vals))]
            if v.ndim:
                keep = bool(pick.integers(3)) if random_keepdims else True
                vals.append(reduce[pick.integers(len(reduce))](
                    v, axis=int(pick.integers(v.ndim)), keepdims=keep))
    return vals[-1], vals[len(xs)] if len(vals) > len(xs) else xs[0]
