"""The ops this session's kernel changes sped up, back to back (medians of 10 calls, ms), ours
beside numpy where numpy has the op. Run it on two builds (PYTHONPATH) for an A/B; the figures in
docs/BENCHMARKS.md's notes for these ops come from such runs.

    PYTHONPATH=<build>/python python bench/ops_ab.py [--only SUBSTRING]
"""
import argparse

import numpy as np

import mlx.core as mx

from common import median_time


def case_list():
    rng = np.random.default_rng(0)
    f = rng.standard_normal(10**7).astype(np.float32)
    sq = rng.standard_normal((3162, 3162)).astype(np.float32)
    w = rng.standard_normal((4096, 4096)).astype(np.float32)
    v = rng.standard_normal((1, 4096)).astype(np.float32)
    idx = rng.integers(0, 10**6, 10**6).astype(np.int32)
    mf, msq, mw, mv = mx.array(f), mx.array(sq), mx.array(w), mx.array(v)
    mb, mh = mw.astype(mx.bfloat16), mf.astype(mx.float16)
    vb, ones = mv.astype(mx.bfloat16), mx.ones((10**6,))
    bits, small = mf > 0, mf[: 10**6]
    key = mx.random.key(1)
    mx.eval(mf, msq, mw, mv, mb, mh, vb, ones, bits, small)
    fb, fh, sm = f > 0, np.array(mh), f[: 10**6]

    def add_at():
        out = sm.copy()
        np.add.at(out, idx, sm)
        return out

    midx = mx.array(idx)
    i32, rows = (f * 1e6).astype(np.int32), f.reshape(1000, 10**4)
    f64, fz = f.astype(np.float64), f.copy()
    fz[12345] = -0.0  # a row whose keys do not all map back (its zeros are refilled)
    mi32, mrows, mf64, mfz = mx.array(i32), mx.array(rows), mx.array(f64, dtype=mx.float64), mx.array(fz)
    pr = f[: 4 * 10**6].reshape(4000, 1000)  # rows with ties: a relu's output, one value throughout
    relu, const = np.maximum(pr, 0), np.full((4000, 1000), 3.0, np.float32)
    mpr, mrelu, mconst = mx.array(pr), mx.array(relu), mx.array(const)
    spread = (f * 0 + rng.uniform(-600, 0, f.size)).astype(np.float32)  # exp's results underflow
    mspread = mx.array(spread)
    mspread3 = mspread[: 3 * 10**6].reshape(-1, 3)
    brow = np.broadcast_to(sq[:1, :2000], (2000, 2000))  # one row repeated: computed once
    mbrow = mx.broadcast_to(msq[:1, :2000], (2000, 2000))
    return [
        ("bfloat16 x @ W.T 1x4096x4096", lambda: vb @ mb.T, None),
        ("bfloat16 x @ W 1x4096x4096", lambda: vb @ mb, None),
        ("max 10^7", lambda: mx.max(mf), lambda: f.max()),
        ("all 10^7 random bools", lambda: mx.all(bits), lambda: fb.all()),
        ("x.at[idx].add(y) 10^6", lambda: small.at[midx].add(small), add_at),
        ("sort 10^7", lambda: mx.sort(mf), lambda: np.sort(f)),
        ("sort int32 10^7", lambda: mx.sort(mi32), lambda: np.sort(i32)),
        ("sort 10^7 holding -0.0", lambda: mx.sort(mfz), lambda: np.sort(fz)),
        ("sort float64 10^7", lambda: mx.sort(mf64), lambda: np.sort(f64)),
        ("argsort 10^7", lambda: mx.argsort(mf), lambda: np.argsort(f, kind="stable")),
        ("sort rows 1000x10^4", lambda: mx.sort(mrows, axis=1), lambda: np.sort(rows, axis=1)),
        ("sort axis0 1000x10^4", lambda: mx.sort(mrows, axis=0), lambda: np.sort(rows, axis=0)),
        ("sort 10^5", lambda: mx.sort(small[: 10**5]), lambda: np.sort(sm[: 10**5])),
        ("sort float16 10^7", lambda: mx.sort(mh), lambda: np.sort(fh)),
        ("argsort 10^6", lambda: mx.argsort(small), lambda: np.argsort(sm, kind="stable")),
        ("permutation 10^6", lambda: mx.random.permutation(10**6, key=key),
         lambda: rng.permutation(10**6)),
        ("partition 10^7", lambda: mx.partition(mf, 5 * 10**6), lambda: np.partition(f, 5 * 10**6)),
        ("argpartition 10^7", lambda: mx.argpartition(mf, 5 * 10**6),
         lambda: np.argpartition(f, 5 * 10**6)),
        ("topk 10 of 10^7", lambda: mx.topk(mf, 10), lambda: np.partition(f, 10**7 - 10)[-10:]),
        ("median 10^7", lambda: mx.median(mf), lambda: np.median(f)),
        ("exp 10^7 over [-600, 0] (subnormal results)", lambda: mx.exp(mspread), lambda: np.exp(spread)),
        ("softmax rows of 3 over [-600, 0]", lambda: mx.softmax(mspread3, axis=1), None),
        ("exp(broadcast_to(x[:1], (2000, 2000)))", lambda: mx.exp(mbrow), lambda: np.exp(brow)),
        ("broadcast_to(x[:1], (2000, 2000)) + 1", lambda: mbrow + 1, lambda: brow + 1),
        ("softmax(broadcast_to(x[:1], (2000, 2000)))", lambda: mx.softmax(mbrow, axis=-1), None),
        ("all(broadcast_to(x[:1], (2000, 2000)) > 0, -1)", lambda: mx.all(mbrow > 0, axis=-1),
         lambda: np.all(brow > 0, axis=-1)),
        ("maximum(x[:, ::2], x[:, ::2] * 0.5) 3162^2", lambda: mx.maximum(msq[:, ::2], msq[:, ::2] * 0.5),
         lambda: np.maximum(sq[:, ::2], sq[:, ::2] * 0.5)),
        ("partition rows 1000, random", lambda: mx.partition(mpr, 500, axis=1),
         lambda: np.partition(pr, 500, axis=1)),
        ("partition rows 1000, relu", lambda: mx.partition(mrelu, 500, axis=1),
         lambda: np.partition(relu, 500, axis=1)),
        ("partition rows 1000, one value", lambda: mx.partition(mconst, 500, axis=1),
         lambda: np.partition(const, 500, axis=1)),
        ("argmax(x, axis=1) 3162^2", lambda: mx.argmax(msq, axis=1), lambda: sq.argmax(axis=1)),
        ("argmax(x.T, axis=0) 3162^2", lambda: mx.argmax(msq.T, axis=0), None),
        ("repeat(x, 2, axis=1) 1000x10^4", lambda: mx.repeat(mrows, 2, axis=1),
         lambda: np.repeat(rows, 2, axis=1)),
        ("repeat(x, 3) 10^7 / 3", lambda: mx.repeat(mf[: 10**7 // 3], 3),
         lambda: np.repeat(f[: 10**7 // 3], 3)),
        ("contiguous(x.T) 3x(10^7/3)", lambda: mx.contiguous(mf[: 3 * (10**7 // 3)].reshape(3, -1).T),
         lambda: np.ascontiguousarray(f[: 3 * (10**7 // 3)].reshape(3, -1).T)),
        ("concatenate two 3162^2", lambda: mx.concatenate([msq, msq]),
         lambda: np.concatenate([sq, sq])),
        ("contiguous(x[::2, ::2]) 3162^2", lambda: mx.contiguous(msq[::2, ::2]),
         lambda: np.ascontiguousarray(sq[::2, ::2])),
    ]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--only", default="", help="cases whose name holds this")
    only = ap.parse_args().only
    print(f"{'case':<34}{'ours ms':>10}{'numpy ms':>10}")
    for name, ours, ref in case_list():
        if only not in name:
            continue
        t = median_time(lambda: mx.eval(ours()), 10) * 1e3
        r = f"{median_time(ref, 10) * 1e3:.3f}" if ref else "-"
        print(f"{name:<34}{t:>10.3f}{r:>10}")


if __name__ == "__main__":
    main()
