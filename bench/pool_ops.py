"""Ops that split their work over the CPU worker pool, each timed after 20 ms of idle (as in the
turns of an interleaved benchmark): median ms of 15 calls. A/B of builds (ours alone).

    PYTHONPATH=<build>/python python bench/pool_ops.py
"""
import time, mlx.core as mx
x=mx.random.normal((10**7,)); x2=mx.random.normal((1000,10000)); k=mx.random.key(0); mx.eval(x,x2)
def t(f,r=15):
    f(); ts=[]
    for _ in range(r):
        time.sleep(0.02); t0=time.perf_counter(); f(); ts.append(time.perf_counter()-t0)
    return sorted(ts)[r//2]*1e3
cases={"sort 1e7":lambda: mx.eval(mx.sort(x)), "cumsum 1e7":lambda: mx.eval(mx.cumsum(x)),
 "argmax rows":lambda: mx.eval(mx.argmax(x2,axis=1)), "softmax rows":lambda: mx.eval(mx.softmax(x2,axis=1)),
 "logsumexp rows":lambda: mx.eval(mx.logsumexp(x2,axis=1)), "normal 1e7":lambda: mx.eval(mx.random.normal((10**7,),key=k)),
 "uniform 1e6":lambda: mx.eval(mx.random.uniform(shape=(10**6,),key=k)), "sort rows":lambda: mx.eval(mx.sort(x2,axis=1))}
print("  ".join("%s %.2f" % (n, t(f)) for n,f in cases.items()))
