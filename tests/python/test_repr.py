"""repr/str of arrays, dtypes, devices and streams. Every expected string below was checked
against MLX 0.32 (Linux, CPU)."""
import pytest

import mlx.core as mx

CASES = [
    ('mx.array([0.1, 1e-8, 1e10])',
     'array([0.1, 1e-08, 1e+10], dtype=float32)'),
    ('mx.array([0.1, 0.2, 0.3])',
     'array([0.1, 0.2, 0.3], dtype=float32)'),
    ('mx.array([1.0, 2.0])',
     'array([1, 2], dtype=float32)'),
    ('mx.array([1.5, -2.25, 3])',
     'array([1.5, -2.25, 3], dtype=float32)'),
    ('mx.array(1e-8)',
     'array(1e-08, dtype=float32)'),
    ('mx.array(1e10)',
     'array(1e+10, dtype=float32)'),
    ('mx.array(123456789.0)',
     'array(1.23457e+08, dtype=float32)'),
    ('mx.array(1/3)',
     'array(0.333333, dtype=float32)'),
    ('mx.array([1/3, 100])',
     'array([0.333333, 100], dtype=float32)'),
    ("mx.array([float('nan'), float('inf'), -float('inf'), 1.0])",
     'array([nan, inf, -inf, 1], dtype=float32)'),
    ("mx.array(float('nan'))",
     'array(nan, dtype=float32)'),
    ("mx.array(-float('nan'))",
     'array(-nan, dtype=float32)'),
    ('mx.array([1+2j, -3.5-1j])',
     'array([1+2j, -3.5-1j], dtype=complex64)'),
    ('mx.array(1+2j)',
     'array(1+2j, dtype=complex64)'),
    ("mx.array([complex(0,-0.0), complex(float('nan'), float('inf'))])",
     'array([0+-0j, nan+infj], dtype=complex64)'),
    ("mx.array([complex(1,float('nan')), complex(1,-float('nan'))])",
     'array([1+nanj, 1+-nanj], dtype=complex64)'),
    ('mx.array([0.1,0.2], mx.bfloat16)',
     'array([0.100098, 0.200195], dtype=bfloat16)'),
    ('mx.array([0.1,0.2], mx.float16)',
     'array([0.0999756, 0.199951], dtype=float16)'),
    ('mx.array([0.1,0.2], mx.float64)',
     'array([0.1, 0.2], dtype=float64)'),
    ('mx.array([True, False])',
     'array([True, False], dtype=bool)'),
    ('mx.array(True)',
     'array(True, dtype=bool)'),
    ('mx.array([-1, 10, -100])',
     'array([-1, 10, -100], dtype=int32)'),
    ('mx.arange(24).reshape(2,3,4)',
     'array([[[0, 1, 2, 3],\n        [4, 5, 6, 7],\n        [8, 9, 10, 11]],\n       [[12, 13, 14, 15],\n        [16, 17, 18, 19],\n        [20, 21, 22, 23]]], dtype=int32)'),
    ('mx.arange(48).reshape(2,3,2,4)',
     'array([[[[0, 1, 2, 3],\n         [4, 5, 6, 7]],\n        [[8, 9, 10, 11],\n         [12, 13, 14, 15]],\n        [[16, 17, 18, 19],\n         [20, 21, 22, 23]]],\n       [[[24, 25, 26, 27],\n         [28, 29, 30, 31]],\n        [[32, 33, 34, 35],\n         [36, 37, 38, 39]],\n        [[40, 41, 42, 43],\n         [44, 45, 46, 47]]]], dtype=int32)'),
    ('mx.arange(1000)',
     'array([0, 1, 2, ..., 997, 998, 999], dtype=int32)'),
    ('mx.arange(2000).reshape(100,20)',
     'array([[0, 1, 2, ..., 17, 18, 19],\n       [20, 21, 22, ..., 37, 38, 39],\n       [40, 41, 42, ..., 57, 58, 59],\n       ...,\n       [1940, 1941, 1942, ..., 1957, 1958, 1959],\n       [1960, 1961, 1962, ..., 1977, 1978, 1979],\n       [1980, 1981, 1982, ..., 1997, 1998, 1999]], dtype=int32)'),
    ('mx.arange(1000).reshape(10,10,10)',
     'array([[[0, 1, 2, ..., 7, 8, 9],\n        [10, 11, 12, ..., 17, 18, 19],\n        [20, 21, 22, ..., 27, 28, 29],\n        ...,\n        [70, 71, 72, ..., 77, 78, 79],\n        [80, 81, 82, ..., 87, 88, 89],\n        [90, 91, 92, ..., 97, 98, 99]],\n       [[100, 101, 102, ..., 107, 108, 109],\n        [110, 111, 112, ..., 117, 118, 119],\n        [120, 121, 122, ..., 127, 128, 129],\n        ...,\n        [170, 171, 172, ..., 177, 178, 179],\n        [180, 181, 182, ..., 187, 188, 189],\n        [190, 191, 192, ..., 197, 198, 199]],\n       [[200, 201, 202, ..., 207, 208, 209],\n        [210, 211, 212, ..., 217, 218, 219],\n        [220, 221, 222, ..., 227, 228, 229],\n        ...,\n        [270, 271, 272, ..., 277, 278, 279],\n        [280, 281, 282, ..., 287, 288, 289],\n        [290, 291, 292, ..., 297, 298, 299]],\n       ...,\n       [[700, 701, 702, ..., 707, 708, 709],\n        [710, 711, 712, ..., 717, 718, 719],\n        [720, 721, 722, ..., 727, 728, 729],\n        ...,\n        [770, 771, 772, ..., 777, 778, 779],\n        [780, 781, 782, ..., 787, 788, 789],\n        [790, 791, 792, ..., 797, 798, 799]],\n       [[800, 801, 802, ..., 807, 808, 809],\n        [810, 811, 812, ..., 817, 818, 819],\n        [820, 821, 822, ..., 827, 828, 829],\n        ...,\n        [870, 871, 872, ..., 877, 878, 879],\n        [880, 881, 882, ..., 887, 888, 889],\n        [890, 891, 892, ..., 897, 898, 899]],\n       [[900, 901, 902, ..., 907, 908, 909],\n        [910, 911, 912, ..., 917, 918, 919],\n        [920, 921, 922, ..., 927, 928, 929],\n        ...,\n        [970, 971, 972, ..., 977, 978, 979],\n        [980, 981, 982, ..., 987, 988, 989],\n        [990, 991, 992, ..., 997, 998, 999]]], dtype=int32)'),
    ('mx.arange(1001.0)',
     'array([0, 1, 2, ..., 998, 999, 1000], dtype=float32)'),
    ('mx.arange(7.0)/3',
     'array([0, 0.333333, 0.666667, ..., 1.33333, 1.66667, 2], dtype=float32)'),
    ('mx.zeros((0,))',
     'array([], dtype=float32)'),
    ('mx.zeros((2,0))',
     'array([[],\n       []], dtype=float32)'),
    ('mx.zeros((0,3))',
     'array([], dtype=float32)'),
    ('mx.zeros((2,0,3))',
     'array([[],\n       []], dtype=float32)'),
    ('mx.zeros((1,2,0))',
     'array([[[],\n        []]], dtype=float32)'),
    ('mx.zeros((3,), mx.uint64)',
     'array([0, 0, 0], dtype=uint64)'),
    ('mx.array([2**40, -5])',
     'array([1099511627776, -5], dtype=int64)'),
    ('mx.array([1.0, 1e-5])',
     'array([1, 1e-05], dtype=float32)'),
    ('mx.array([1e5, 1e6])',
     'array([100000, 1e+06], dtype=float32)'),
    ('mx.array([0.0, -0.0])',
     'array([0, -0], dtype=float32)'),
    ('mx.array(-0.0)',
     'array(-0, dtype=float32)'),
    ('mx.array([3.14159265, 2.71828])',
     'array([3.14159, 2.71828], dtype=float32)'),
    ('mx.array([[1.5],[2.5]])',
     'array([[1.5],\n       [2.5]], dtype=float32)'),
    ('mx.array([[[1]]])',
     'array([[[1]]], dtype=int32)'),
    ('mx.array([1.5+0j, 1e-8j])',
     'array([1.5+0j, 0+1e-08j], dtype=complex64)'),
    ('mx.array([2**60], mx.uint64)',
     'array([1152921504606846976], dtype=uint64)'),
    ('mx.array([-2**60], mx.int64)',
     'array([-1152921504606846976], dtype=int64)'),
    ('mx.array([1,2], mx.int8)',
     'array([1, 2], dtype=int8)'),
    ('mx.array([-128, 127], mx.int8)',
     'array([-128, 127], dtype=int8)'),
    ('mx.array([255], mx.uint8)',
     'array([255], dtype=uint8)'),
    ('mx.array(1, mx.uint8)',
     'array(1, dtype=uint8)'),
    ('mx.arange(7).reshape(7,1)',
     'array([[0],\n       [1],\n       [2],\n       ...,\n       [4],\n       [5],\n       [6]], dtype=int32)'),
    ('mx.arange(14).reshape(7,2)',
     'array([[0, 1],\n       [2, 3],\n       [4, 5],\n       ...,\n       [8, 9],\n       [10, 11],\n       [12, 13]], dtype=int32)'),
    ('mx.arange(63).reshape(3,3,7)',
     'array([[[0, 1, 2, ..., 4, 5, 6],\n        [7, 8, 9, ..., 11, 12, 13],\n        [14, 15, 16, ..., 18, 19, 20]],\n       [[21, 22, 23, ..., 25, 26, 27],\n        [28, 29, 30, ..., 32, 33, 34],\n        [35, 36, 37, ..., 39, 40, 41]],\n       [[42, 43, 44, ..., 46, 47, 48],\n        [49, 50, 51, ..., 53, 54, 55],\n        [56, 57, 58, ..., 60, 61, 62]]], dtype=int32)'),
    ('mx.arange(4*7*7).reshape(4,7,7).astype(mx.float16)',
     'array([[[0, 1, 2, ..., 4, 5, 6],\n        [7, 8, 9, ..., 11, 12, 13],\n        [14, 15, 16, ..., 18, 19, 20],\n        ...,\n        [28, 29, 30, ..., 32, 33, 34],\n        [35, 36, 37, ..., 39, 40, 41],\n        [42, 43, 44, ..., 46, 47, 48]],\n       [[49, 50, 51, ..., 53, 54, 55],\n        [56, 57, 58, ..., 60, 61, 62],\n        [63, 64, 65, ..., 67, 68, 69],\n        ...,\n        [77, 78, 79, ..., 81, 82, 83],\n        [84, 85, 86, ..., 88, 89, 90],\n        [91, 92, 93, ..., 95, 96, 97]],\n       [[98, 99, 100, ..., 102, 103, 104],\n        [105, 106, 107, ..., 109, 110, 111],\n        [112, 113, 114, ..., 116, 117, 118],\n        ...,\n        [126, 127, 128, ..., 130, 131, 132],\n        [133, 134, 135, ..., 137, 138, 139],\n        [140, 141, 142, ..., 144, 145, 146]],\n       [[147, 148, 149, ..., 151, 152, 153],\n        [154, 155, 156, ..., 158, 159, 160],\n        [161, 162, 163, ..., 165, 166, 167],\n        ...,\n        [175, 176, 177, ..., 179, 180, 181],\n        [182, 183, 184, ..., 186, 187, 188],\n        [189, 190, 191, ..., 193, 194, 195]]], dtype=float16)'),
    ('mx.arange(24).reshape(2,3,4).T',
     'array([[[0, 12],\n        [4, 16],\n        [8, 20]],\n       [[1, 13],\n        [5, 17],\n        [9, 21]],\n       [[2, 14],\n        [6, 18],\n        [10, 22]],\n       [[3, 15],\n        [7, 19],\n        [11, 23]]], dtype=int32)'),
    ('mx.broadcast_to(mx.array([1,2]), (3,2))',
     'array([[1, 2],\n       [1, 2],\n       [1, 2]], dtype=int32)'),
    ('mx.array([1e38, 3e38], mx.float32)*10',
     'array([inf, inf], dtype=float32)'),
    ('mx.array([65504, 70000], mx.float16)',
     'array([65504, inf], dtype=float16)'),
    ('mx.array([1e-7, 6e-8], mx.float16)',
     'array([1.19209e-07, 5.96046e-08], dtype=float16)'),
    ('mx.array([1e-40], mx.float32)',
     'array([9.99995e-41], dtype=float32)'),
    ('mx.array(1e300, mx.float64)',
     'array(1e+300, dtype=float64)'),
    ('mx.array([1e-300], mx.float64)',
     'array([1e-300], dtype=float64)'),
    ('mx.array([1,2,3], mx.bfloat16)',
     'array([1, 2, 3], dtype=bfloat16)'),
    ('mx.array([3.0e38], mx.bfloat16)',
     'array([3.00406e+38], dtype=bfloat16)'),
    ('mx.arange(5).reshape(1,1,1,1,5)',
     'array([[[[[0, 1, 2, 3, 4]]]]], dtype=int32)'),
    ('mx.array([1,2,3])',
     'array([1, 2, 3], dtype=int32)'),
    ('mx.array(1.5)',
     'array(1.5, dtype=float32)'),
    ('mx.array([[1,2,3],[4,5,6]]).T',
     'array([[1, 4],\n       [2, 5],\n       [3, 6]], dtype=int32)'),
    ('mx.zeros((2,3), mx.complex64)',
     'array([[0+0j, 0+0j, 0+0j],\n       [0+0j, 0+0j, 0+0j]], dtype=complex64)'),
    ('mx.arange(12).reshape(3,4).astype(mx.bool_)',
     'array([[False, True, True, True],\n       [True, True, True, True],\n       [True, True, True, True]], dtype=bool)'),
    ('mx.array([1.5, 2.5]).astype(mx.bfloat16)',
     'array([1.5, 2.5], dtype=bfloat16)'),
    ('mx.array([[-1.5, 2], [3, -4]], mx.float64)',
     'array([[-1.5, 2],\n       [3, -4]], dtype=float64)'),
    ('mx.array([1, -2], mx.int16)',
     'array([1, -2], dtype=int16)'),
    ('mx.array([7], mx.uint32)',
     'array([7], dtype=uint32)'),
]


@pytest.mark.parametrize("expr, expected", CASES, ids=[c[0] for c in CASES])
def test_array_repr(expr, expected):
    a = eval(expr, {"mx": mx})
    assert repr(a) == expected
    assert str(a) == expected


def test_repr_of_lazy_graph():
    a = mx.arange(6).reshape(2, 3) + 1
    assert repr(a.T * 2) == "array([[2, 8],\n       [4, 10],\n       [6, 12]], dtype=int32)"


def test_dtype_repr_and_str():
    assert repr(mx.float32) == "mlx.core.float32"
    assert str(mx.int8) == "mlx.core.int8"
    assert repr(mx.bool_) == "mlx.core.bool"
    assert repr(mx.bfloat16) == "mlx.core.bfloat16"
    assert repr(mx.complex64) == "mlx.core.complex64"


def test_device_and_stream_repr():
    assert repr(mx.Device(mx.cpu)) == "Device(cpu, 0)"
    assert str(mx.Device(mx.cpu, 3)) == "Device(cpu, 3)"
    assert repr(mx.Device(mx.gpu, 0)) == "Device(gpu, 0)"
    assert repr(mx.default_stream(mx.cpu)) == "Stream(Device(cpu, 0), 0)"
    assert repr(mx.cpu) == "DeviceType.cpu"
    assert repr(mx.gpu) == "DeviceType.gpu"
    assert str(mx.cpu) == "DeviceType.cpu"
