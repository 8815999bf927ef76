"""The example programs in examples/ run under mlx.core and print what the real MLX prints.

The expected outputs were recorded by running each example under MLX 0.32.4 (pip "mlx[cpu]",
Linux). Lines must match: the text between numbers exactly, integers exactly, other numbers
up to two units in the last digit printed (of the more precise of the two), since sums may be
ordered differently here.
"""
import os
import re
import subprocess
import sys
import textwrap

import pytest

import mlx

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
EXAMPLES = os.path.join(ROOT, "examples")
NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf")

# Output of `python examples/<name>.py` under MLX 0.32.4.
EXPECTED = {
    "linear_regression": """\
    step   0  loss 1.364298
    step  50  loss 0.019467
    step 100  loss 0.000387
    step 150  loss 0.000059
    step 200  loss 0.000053
    step 250  loss 0.000053
    step 299  loss 0.000053
    |w - w*| = 0.00102
    bias = 0.00021
    w* = array([-0.496, -1.358, 0.268, -0.984, 0.279, 0.037], dtype=float32)
    w  = array([-0.496, -1.358, 0.268, -0.984, 0.279, 0.037], dtype=float32)
    max |X^T r| = 0.0015
""",
    "logistic_regression_vmap": """\
    per-example gradients: (200, 4)
    mean of per-example gradients == batch gradient: True
    step  0  loss 0.63216  clipped  77  accuracy 0.950
    step 10  loss 0.36728  clipped  17  accuracy 0.975
    step 20  loss 0.28942  clipped  11  accuracy 0.980
    step 30  loss 0.24970  clipped   8  accuracy 0.990
    step 40  loss 0.22469  clipped   6  accuracy 0.985
    step 50  loss 0.20710  clipped   6  accuracy 0.980
    step 59  loss 0.19502  clipped   6  accuracy 0.980
    cosine(w, w_true) = 0.9967
    w = array([1.118, -0.659, 2.473, -1.675], dtype=float32)
""",
    "tree_sgd": """\
    parameters: layers.0.w(1, 16), layers.0.b(16,), layers.1.w(16, 1), layers.1.b(1,)
    count: 49
    epoch  0  mean loss 0.18879
    epoch  5  mean loss 0.05868
    epoch 10  mean loss 0.01852
    epoch 15  mean loss 0.01594
    epoch 20  mean loss 0.01643
    epoch 25  mean loss 0.01020
    epoch 29  mean loss 0.01066
    x       = array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5], dtype=float32)
    sin(x)  = array([-0.6, -1, -0.48, 0.48, 1, 0.6], dtype=float32)
    network = array([-0.62, -0.97, -0.56, 0.58, 1.01, 0.68], dtype=float32)
    final loss 0.00991
""",
}


def tolerance(token):
    """Two units in the last printed digit of a number."""
    mantissa, _, exponent = token.lower().partition("e")
    digits = len(mantissa.split(".")[1]) if "." in mantissa else 0
    return 2 * 10.0 ** (int(exponent or 0) - digits)


def numbers_match(got, want):
    if "n" in got + want:  # nan, inf
        return got == want
    integer = re.compile(r"[-+]?\d+")
    if integer.fullmatch(got) and integer.fullmatch(want):
        return int(got) == int(want)
    return abs(float(got) - float(want)) <= min(tolerance(got), tolerance(want))


def compare(got, want):
    """Differences between two outputs, one line each (empty when they match)."""
    got_lines, want_lines = got.rstrip("\n").split("\n"), want.rstrip("\n").split("\n")
    if len(got_lines) != len(want_lines):
        return [f"{len(got_lines)} lines, expected {len(want_lines)}"]
    problems = []
    for g, w in zip(got_lines, want_lines):
        same_text = NUMBER.split(g) == NUMBER.split(w)
        gn, wn = NUMBER.findall(g), NUMBER.findall(w)
        if not same_text or len(gn) != len(wn) or not all(map(numbers_match, gn, wn)):
            problems.append(f"got      {g!r}\nexpected {w!r}")
    return problems


def run_example(name):
    env = dict(os.environ)
    # The mlx package these tests import (a build tree or an installed package) runs the example.
    package_root = os.path.dirname(os.path.abspath(list(mlx.__path__)[0]))
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [package_root, env.get("PYTHONPATH")]))
    result = subprocess.run([sys.executable, os.path.join(EXAMPLES, name + ".py")],
                            capture_output=True, text=True, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_example_prints_what_mlx_prints(name):
    problems = compare(run_example(name), textwrap.dedent(EXPECTED[name]))
    assert not problems, "\n".join(problems)


def test_every_example_is_checked():
    names = {f[:-3] for f in os.listdir(EXAMPLES) if f.endswith(".py")}
    assert names == set(EXPECTED)


@pytest.mark.parametrize("got, want, ok", [
    ("loss 0.019467", "loss 0.019467", True),
    ("loss 0.019468", "loss 0.019467", True),
    ("loss 0.019470", "loss 0.019467", False),
    ("clipped  77", "clipped  77", True),
    ("clipped  78", "clipped  77", False),
    ("array([-0.99, 1], dtype=float32)", "array([-1, 1], dtype=float32)", True),
    ("array([-0.5, 1], dtype=float32)", "array([-1, 1], dtype=float32)", False),
    ("w = 1.5", "w  = 1.5", False),
    ("a\nb", "a", False),
    ("x 1e-05", "x 1.1e-05", True),
    ("x 1e-05", "x 1.3e-05", False),
])
def test_compare(got, want, ok):
    assert (compare(got, want) == []) == ok
