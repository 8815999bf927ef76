"""Learning rate schedules: functions of the optimizer step returning a learning rate."""

import math
from typing import Callable, List

import mlx.core as mx


def exponential_decay(init: float, decay_rate: float) -> Callable:
    r"""``init * decay_rate ** step``.

    Example:
        >>> lr_schedule = optim.exponential_decay(1e-1, 0.9)
        >>> optimizer = optim.SGD(learning_rate=lr_schedule)
    """

    def schedule(step):
        return init * decay_rate**step

    return schedule


def step_decay(init: float, decay_rate: float, step_size: int) -> Callable:
    r"""``init * decay_rate ** (step // step_size)``: multiply by ``decay_rate`` every
    ``step_size`` steps."""

    def schedule(step):
        return init * (decay_rate ** (step // step_size))

    return schedule


def cosine_decay(init: float, decay_steps: int, end: float = 0.0) -> Callable:
    r"""Cosine decay from ``init`` to ``end`` over ``decay_steps`` steps (then constant):
    ``end + (init - end) * 0.5 * (1 + cos(pi * min(step, decay_steps) / decay_steps))``."""

    def schedule(step):
        s = mx.minimum(step, decay_steps)
        decay = 0.5 * (1.0 + mx.cos((math.pi / decay_steps) * s))
        return end + decay * (init - end)

    return schedule


def linear_schedule(init: float, end: float, steps: int) -> Callable:
    r"""Linear interpolation from ``init`` to ``end`` over ``steps`` steps (then
    constant); typically used for warmup."""
    if steps < 1:
        raise ValueError(f"steps must be greater than 0, but got {steps}.")

    def schedule(step):
        s = mx.minimum(step, steps)
        return s * ((end - init) / steps) + init

    return schedule


def join_schedules(schedules: List[Callable], boundaries: List[int]) -> Callable:
    r"""Chain schedules: ``schedules[0]`` until ``boundaries[0]``, then ``schedules[1]``
    (called with the steps counted from the boundary), and so on.

    Args:
        schedules: the schedules.
        boundaries: ``len(schedules) - 1`` step counts at which to switch.
    """
    if len(schedules) == 0:
        raise ValueError("Must provide at least 1 schedule to join.")
    if len(schedules) != len(boundaries) + 1:
        raise ValueError(
            f"Received {len(boundaries)} boundaries but "
            f"expected {len(schedules) - 1}."
        )

    def schedule(step):
        out = schedules[0](step)
        for boundary, fn in zip(boundaries, schedules[1:]):
            out = mx.where(step < boundary, out, fn(step - boundary))
        return out

    return schedule
