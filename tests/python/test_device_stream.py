"""DeviceType, Device, Stream, defaults and the stream() context manager."""
import enum

import pytest

import mlx.core as mx


def test_device_type_enum():
    assert isinstance(mx.cpu, enum.Enum)
    assert mx.cpu is mx.DeviceType.cpu
    assert mx.gpu is mx.DeviceType.gpu
    assert list(mx.DeviceType) == [mx.cpu, mx.gpu]
    assert mx.cpu.name == "cpu"
    assert mx.cpu.value == 0 and mx.gpu.value == 1


def test_device():
    d = mx.Device(mx.cpu)
    assert d.type == mx.cpu
    assert d == mx.Device(mx.cpu, 0)
    assert d == mx.cpu
    assert d != mx.Device(mx.cpu, 1)
    assert d != mx.Device(mx.gpu)
    assert not (d == "cpu")
    assert mx.Device(mx.cpu, index=2) == mx.Device(mx.cpu, 2)
    assert hash(d) == hash(mx.Device(mx.cpu, 0))
    assert mx.default_device() == mx.cpu
    assert isinstance(mx.default_device(), mx.Device)


def test_availability_and_counts():
    assert mx.is_available(mx.cpu) is True
    assert mx.is_available(mx.Device(mx.cpu)) is True
    assert mx.is_available(mx.Device(mx.cpu, 1)) is False
    assert mx.is_available(mx.gpu) is False
    assert mx.device_count(mx.cpu) == 1
    assert mx.device_count(mx.gpu) == 0


def test_device_info():
    info = mx.device_info()
    assert isinstance(info, dict)
    assert all(isinstance(k, str) for k in info)
    assert all(isinstance(v, (str, int)) for v in info.values())
    assert mx.device_info(mx.cpu) == info
    assert mx.device_info(mx.Device(mx.cpu)) == info
    assert mx.device_info(mx.gpu) == {}


def test_set_default_device():
    mx.set_default_device(mx.cpu)
    mx.set_default_device(mx.Device(mx.cpu, 0))
    assert mx.default_device() == mx.Device(mx.cpu)
    with pytest.raises(ValueError):
        mx.set_default_device(mx.gpu)
    assert mx.default_device() == mx.cpu


def test_streams():
    s = mx.default_stream(mx.cpu)
    assert isinstance(s, mx.Stream)
    assert s.device == mx.Device(mx.cpu)
    assert s == mx.default_stream(mx.default_device())
    assert s == mx.default_stream(mx.Device(mx.cpu))
    assert s != mx.cpu
    s2 = mx.new_stream(mx.cpu)
    assert s2 != s
    assert s2.device == mx.cpu
    assert repr(s2).startswith("Stream(Device(cpu, 0), ")
    assert hash(s2) == hash(s2)
    a = mx.add(mx.ones(3, stream=s2), 1, stream=s2)
    assert a.tolist() == [2.0, 2.0, 2.0]
    mx.synchronize(s2)


def test_set_default_stream():
    s = mx.default_stream(mx.cpu)
    s2 = mx.new_stream(mx.cpu)
    mx.set_default_stream(s2)
    assert mx.default_stream(mx.cpu) == s2
    assert (mx.arange(3) * 2).tolist() == [0, 2, 4]
    mx.set_default_stream(s)
    assert mx.default_stream(mx.cpu) == s


def test_stream_context_manager():
    s = mx.default_stream(mx.cpu)
    s2 = mx.new_stream(mx.cpu)
    with mx.stream(s2) as ctx:
        assert ctx is None
        assert mx.default_stream(mx.cpu) == s2
        assert mx.default_device() == mx.cpu
        a = mx.arange(4) + 1
    assert mx.default_stream(mx.cpu) == s
    assert a.tolist() == [1, 2, 3, 4]
    with mx.stream(mx.cpu):
        assert mx.default_stream(mx.cpu) == s
    with mx.stream(mx.Device(mx.cpu)):
        assert mx.default_stream(mx.cpu) == s
    with pytest.raises(ValueError):
        with mx.stream(mx.gpu):
            pass
    assert mx.default_stream(mx.cpu) == s
    # restored even when the body raises
    with pytest.raises(KeyError):
        with mx.stream(s2):
            raise KeyError("x")
    assert mx.default_stream(mx.cpu) == s


def test_stream_argument_forms():
    s = mx.default_stream(mx.cpu)
    for arg in (None, s, mx.cpu, mx.Device(mx.cpu)):
        assert mx.zeros(2, stream=arg).tolist() == [0.0, 0.0]
    with pytest.raises(TypeError):
        mx.zeros(2, stream="cpu")
    with pytest.raises(ValueError):
        mx.zeros(2, stream=mx.gpu)


def test_dtype_objects():
    assert mx.float32 == mx.float32
    assert mx.float32 != mx.int32
    assert not (mx.float32 == "float32")
    assert isinstance(mx.float32, mx.Dtype)
    assert {mx.float32: 1}[mx.float32] == 1
    sizes = {
        mx.bool_: 1, mx.uint8: 1, mx.uint16: 2, mx.uint32: 4, mx.uint64: 8, mx.int8: 1,
        mx.int16: 2, mx.int32: 4, mx.int64: 8, mx.float16: 2, mx.float32: 4, mx.float64: 8,
        mx.bfloat16: 2, mx.complex64: 8,
    }
    assert len(sizes) == 14
    for d, n in sizes.items():
        assert d.size == n
        assert mx.zeros((3,), d).itemsize == n
    assert hash(mx.bool_) == 0 and hash(mx.complex64) == 13
