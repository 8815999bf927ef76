"""Optimizers: update a model's parameters from gradients."""

from typing import Callable, List, Optional, Tuple, Union

import mlx.core as mx
from mlx.nn import Module
from mlx.utils import tree_flatten, tree_map, tree_merge, tree_reduce, tree_unflatten


class Optimizer:
    """The base class of optimizers.

    The optimizer keeps its state in a dict (:attr:`state`): the step counter ``"step"``,
    hyper-parameters such as ``"learning_rate"`` (scalar arrays, so they can be changed or
    scheduled), and, for every parameter, a dict of per-parameter state (momentum, ...)
    in a tree of the same structure as the parameters.

    Subclasses implement :meth:`init_single` and :meth:`apply_single`.

    Args:
        schedulers: an optional dict from hyper-parameter names to schedules (callables
            of the step).
    """

    def __init__(self, schedulers=None):
        self._initialized = False
        self._state = {"step": mx.array(0, mx.uint64)}
        self._schedulers = {k: v for k, v in (schedulers or {}).items()}

    def update(self, model: Module, gradients: dict):
        """Apply the gradients to the model's parameters (``model.update``)."""
        model.update(self.apply_gradients(gradients, model))

    def init(self, parameters: dict):
        """Initialize the per-parameter state for a tree of parameters (done lazily by
        the first :meth:`apply_gradients`; call it to inspect or load the state before
        the first step). Existing state is kept."""

        def fill(params, state):
            if isinstance(params, (list, tuple)):
                state = list(state) if isinstance(state, (list, tuple)) else []
                for i, p in enumerate(params):
                    if i < len(state):
                        state[i] = fill(p, state[i])
                    else:
                        state.append(fill(p, {}))
                return state
            if isinstance(params, dict):
                if not isinstance(state, dict):
                    state = {}
                for k, p in params.items():
                    state[k] = fill(p, state.get(k, {}))
                return state
            return state

        # Build the state tree (keeping existing entries) and fill leaves that have none.
        fill(parameters, self._state)  # (fills self._state in place)

        def init_leaf(p, s):
            if isinstance(s, dict) and len(s) == 0:
                self.init_single(p, s)
            return s

        tree_map(init_leaf, parameters, self._state)
        self._initialized = True

    def init_single(self, parameter: mx.array, state: dict):
        """Initialize the state of one parameter (in place)."""
        raise NotImplementedError()

    def apply_gradients(self, gradients: dict, parameters: dict):
        """Return the updated parameters for ``gradients`` (a tree of gradients with the
        structure of, or a sub-tree of, ``parameters``). Advances the step counter and
        the schedules."""
        if not self._initialized:
            self.init(gradients)

        for name, schedule in self._schedulers.items():
            self._state[name] = _as_array(schedule(self.step))

        self._state["step"] = self.step + 1
        return tree_map(self.apply_single, gradients, parameters, self._state)

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        """Return the updated parameter for one gradient (updating ``state`` in place)."""
        raise NotImplementedError()

    @property
    def state(self):
        """The optimizer's state dict."""
        return self._state

    @state.setter
    def state(self, state: dict):
        self._initialized = False
        self._state = state

    @property
    def step(self):
        """The number of steps taken (a ``uint64`` scalar array)."""
        return self._state["step"]

    @property
    def learning_rate(self):
        """The current learning rate (a scalar array)."""
        return self._state["learning_rate"]

    @learning_rate.setter
    def learning_rate(self, learning_rate: Union[float, mx.array]):
        self._state["learning_rate"] = mx.array(learning_rate)

    def _maybe_schedule(
        self, name: str, param: Union[float, Callable[[mx.array], mx.array]]
    ):
        """Store a hyper-parameter: a value, or a schedule evaluated at the current step
        (and re-evaluated at every step)."""
        if callable(param):
            self._schedulers[name] = param
            value = _as_array(param(self.step))
        else:
            value = mx.array(param)
        self._state[name] = value


def _as_array(x):
    return x if isinstance(x, mx.array) else mx.array(x)


class SGD(Optimizer):
    r"""Stochastic gradient descent with optional momentum, dampening, Nesterov momentum
    and (L2) weight decay.

    .. math::
        g \leftarrow g + \lambda w, \quad
        v \leftarrow \mu v + (1 - \tau) g, \quad
        w \leftarrow w - \eta (g + \mu v \text{ if nesterov else } v)

    Args:
        learning_rate: :math:`\eta`, a float or a schedule.
        momentum: :math:`\mu`. Default: ``0``.
        weight_decay: :math:`\lambda`. Default: ``0``.
        dampening: :math:`\tau`. Default: ``0``.
        nesterov: use Nesterov momentum (needs momentum > 0 and no dampening). Default:
            ``False``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array]],
        momentum: float = 0.0,
        weight_decay: float = 0.0,
        dampening: float = 0.0,
        nesterov: bool = False,
    ):
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError(
                "Nesterov momentum requires a momentum and zero dampening."
            )
        super().__init__()
        self._maybe_schedule("learning_rate", learning_rate)
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.dampening = dampening
        self.nesterov = nesterov

    def init_single(self, parameter: mx.array, state: dict):
        state["v"] = mx.zeros_like(parameter)

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        if self.weight_decay != 0:
            gradient = gradient + self.weight_decay * parameter
        if self.momentum <= 0:
            return parameter - self.learning_rate.astype(gradient.dtype) * gradient

        v = self.momentum * state.get("v")
        if self.dampening > 0:
            v = v + (1 - self.dampening) * gradient
        else:
            v = v + gradient
        if self.nesterov:
            update = gradient + self.momentum * v
        else:
            update = v
        state["v"] = v
        return parameter - self.learning_rate.astype(gradient.dtype) * update


class RMSprop(Optimizer):
    r"""RMSprop: divide the gradient by a running root mean square of recent gradients.

    .. math::
        v \leftarrow \alpha v + (1 - \alpha) g^2, \quad
        w \leftarrow w - \eta \frac{g}{\sqrt{v} + \epsilon}

    Args:
        learning_rate: :math:`\eta`.
        alpha: the smoothing constant. Default: ``0.99``.
        eps: Default: ``1e-8``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array]],
        alpha: float = 0.99,
        eps: float = 1e-8,
    ):
        super().__init__()
        self._maybe_schedule("learning_rate", learning_rate)
        self.alpha = alpha
        self.eps = eps
        if self.alpha < 0.0:
            raise ValueError(f"RMSprop alpha should be >=0, {self.alpha} was provided instead")
        if self.eps < 0.0:
            raise ValueError(f"RMSprop epsilon should be >0, {self.eps} was provided instead")

    def init_single(self, parameter: mx.array, state: dict):
        state["v"] = mx.zeros_like(parameter)

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        lr = self.learning_rate.astype(gradient.dtype)
        v = self.alpha * state["v"] + (1 - self.alpha) * mx.square(gradient)
        state["v"] = v
        return parameter - lr * gradient / (mx.sqrt(v) + self.eps)


class Adagrad(Optimizer):
    r"""Adagrad: per-parameter learning rates from the sum of squared gradients.

    .. math::
        v \leftarrow v + g^2, \quad w \leftarrow w - \eta \frac{g}{\sqrt{v} + \epsilon}

    Args:
        learning_rate: :math:`\eta`.
        eps: Default: ``1e-8``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array]],
        eps: float = 1e-8,
    ):
        super().__init__()
        self._maybe_schedule("learning_rate", learning_rate)
        self.eps = eps
        if self.eps < 0.0:
            raise ValueError(f"Adagrad epsilon should be >0, {self.eps} was provided instead")

    def init_single(self, parameter: mx.array, state: dict):
        state["v"] = mx.zeros_like(parameter)

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        lr = self.learning_rate.astype(gradient.dtype)
        v = state["v"] + mx.square(gradient)
        state["v"] = v
        return parameter - lr * gradient / (mx.sqrt(v) + self.eps)


class AdaDelta(Optimizer):
    r"""AdaDelta: step sizes from running averages of squared gradients and squared
    updates.

    .. math::
        v \leftarrow \rho v + (1 - \rho) g^2, \quad
        \Delta = \frac{\sqrt{u + \epsilon}}{\sqrt{v + \epsilon}} g, \quad
        u \leftarrow \rho u + (1 - \rho) \Delta^2, \quad
        w \leftarrow w - \eta \Delta

    Args:
        learning_rate: :math:`\eta`.
        rho: Default: ``0.9``.
        eps: Default: ``1e-6``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array]],
        rho: float = 0.9,
        eps: float = 1e-6,
    ):
        super().__init__()
        self._maybe_schedule("learning_rate", learning_rate)
        self.rho = rho
        self.eps = eps
        if self.rho < 0.0:
            raise ValueError(f"AdaDelta rho should be >=0, {self.rho} was provided instead")
        if self.eps < 0.0:
            raise ValueError(f"AdaDelta epsilon should be >0, {self.eps} was provided instead")

    def init_single(self, parameter: mx.array, state: dict):
        state["v"] = mx.zeros_like(parameter)
        state["u"] = mx.zeros_like(parameter)

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        lr = self.learning_rate.astype(gradient.dtype)
        rho, eps = self.rho, self.eps
        v = rho * state["v"] + (1 - rho) * mx.square(gradient)
        d = mx.sqrt(state["u"] + eps) * mx.rsqrt(v + eps) * gradient
        u = rho * state["u"] + (1 - rho) * mx.square(d)
        state["v"] = v
        state["u"] = u
        return parameter - lr * d


class Adam(Optimizer):
    r"""Adam.

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2, \quad
        w \leftarrow w - \eta \frac{m}{\sqrt{v} + \epsilon}

    With ``bias_correction`` the moments are divided by :math:`1 - \beta_1^t` and
    :math:`1 - \beta_2^t`.

    Args:
        learning_rate: :math:`\eta`.
        betas: :math:`(\beta_1, \beta_2)`. Default: ``(0.9, 0.999)``.
        eps: Default: ``1e-8``.
        bias_correction: Default: ``False``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array]],
        betas: List[float] = [0.9, 0.999],
        eps: float = 1e-8,
        bias_correction: bool = False,
    ):
        super().__init__()
        self._maybe_schedule("learning_rate", learning_rate)
        self.betas = betas
        self.eps = eps
        self.bias_correction = bias_correction

    def init_single(self, parameter: mx.array, state: dict):
        state["m"] = mx.zeros_like(parameter)
        state["v"] = mx.zeros_like(parameter)

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        lr = self.learning_rate.astype(gradient.dtype)
        b1, b2 = self.betas
        eps = self.eps
        m = b1 * state["m"] + (1 - b1) * gradient
        v = b2 * state["v"] + (1 - b2) * mx.square(gradient)
        state["m"] = m
        state["v"] = v
        if self.bias_correction:
            step = self.step.astype(mx.float32)
            c1 = (lr / (1 - b1**step)).astype(gradient.dtype)
            c2 = mx.rsqrt(1 - b2**step).astype(gradient.dtype)
            return parameter - c1 * m / (mx.sqrt(v) * c2 + eps)
        return parameter - lr * m / (mx.sqrt(v) + eps)


class AdamW(Adam):
    r"""Adam with decoupled weight decay: before the Adam step,
    :math:`w \leftarrow w (1 - \eta \lambda)`.

    Args:
        learning_rate: :math:`\eta`.
        betas: Default: ``(0.9, 0.999)``.
        eps: Default: ``1e-8``.
        weight_decay: :math:`\lambda`. Default: ``0.01``.
        bias_correction: Default: ``False``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array]],
        betas: List[float] = [0.9, 0.999],
        eps: float = 1e-8,
        weight_decay: float = 0.01,
        bias_correction: bool = False,
    ):
        super().__init__(
            learning_rate=learning_rate,
            betas=betas,
            eps=eps,
            bias_correction=bias_correction,
        )
        self.weight_decay = weight_decay

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        lr = self.learning_rate.astype(gradient.dtype)
        return super().apply_single(
            gradient, parameter * (1 - lr * self.weight_decay), state
        )


class Adamax(Adam):
    r"""Adamax, the infinity-norm variant of Adam.

    .. math::
        m \leftarrow \beta_1 m + (1 - \beta_1) g, \quad
        v \leftarrow \max(\beta_2 v, |g|), \quad
        w \leftarrow w - \eta \frac{m}{v + \epsilon}

    Args:
        learning_rate: :math:`\eta`.
        betas: Default: ``(0.9, 0.999)``.
        eps: Default: ``1e-8``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array]],
        betas: List[float] = [0.9, 0.999],
        eps: float = 1e-8,
    ):
        super().__init__(learning_rate, betas, eps)
        if not 0.0 <= eps:
            raise ValueError(f"Epsilon value should be >=0, {self.eps} was provided instead")

    def init_single(self, parameter: mx.array, state: dict):
        state["m"] = mx.zeros_like(parameter)
        state["v"] = mx.zeros_like(parameter)

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        lr = self.learning_rate.astype(gradient.dtype)
        b1, b2 = self.betas
        m = b1 * state["m"] + (1 - b1) * gradient
        v = mx.maximum(b2 * state["v"], mx.abs(gradient))
        state["m"] = m
        state["v"] = v
        return parameter - lr * m / (v + self.eps)


class Lion(Optimizer):
    r"""Lion: updates of the same magnitude for all parameters, the sign of an
    interpolation of momentum and gradient.

    .. math::
        c = \beta_1 m + (1 - \beta_1) g, \quad
        m \leftarrow \beta_2 m + (1 - \beta_2) g, \quad
        w \leftarrow w (1 - \eta \lambda) - \eta\, \text{sign}(c)

    Args:
        learning_rate: :math:`\eta`.
        betas: Default: ``(0.9, 0.99)``.
        weight_decay: :math:`\lambda`. Default: ``0``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array]],
        betas: List[float] = [0.9, 0.99],
        weight_decay: float = 0.0,
    ):
        super().__init__()
        self._maybe_schedule("learning_rate", learning_rate)
        self.betas = betas
        self.weight_decay = weight_decay

    def init_single(self, parameter: mx.array, state: dict):
        state["m"] = mx.zeros_like(parameter)

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        lr = self.learning_rate.astype(gradient.dtype)
        b1, b2 = self.betas
        m = state["m"]
        c = b1 * m + (1 - b1) * gradient
        state["m"] = b2 * m + (1 - b2) * gradient
        if self.weight_decay > 0:
            parameter = (1 - lr * self.weight_decay) * parameter
        return parameter - lr * mx.sign(c)


class Adafactor(Optimizer):
    r"""Adafactor: adaptive learning rates with factored (row/column) second moment
    estimates for matrices, from "Adafactor: Adaptive Learning Rates with Sublinear
    Memory Cost".

    Args:
        learning_rate: the learning rate; ignored with ``relative_step``. Default: None.
        eps: ``(eps1, eps2)``: added to the squared gradients, and the lower bound of the
            parameter scale. Default: ``(1e-30, 1e-3)``.
        clip_threshold: the update's RMS is clipped to this. Default: ``1.0``.
        decay_rate: the exponent of the second moment's decay,
            :math:`\beta_2 = 1 - t^{\text{decay\_rate}}`. Default: ``-0.8``.
        beta_1: if given, keep a first moment with this decay. Default: None.
        weight_decay: Default: ``0``.
        scale_parameter: scale the step by the parameter's RMS. Default: ``True``.
        relative_step: use the step size ``min(1e-2, 1/sqrt(t))`` (or
            ``min(1e-6 t, 1/sqrt(t))`` with ``warmup_init``) instead of the learning
            rate. Default: ``True``.
        warmup_init: Default: ``False``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array], None] = None,
        eps: Tuple[float, float] = (1e-30, 1e-3),
        clip_threshold: float = 1.0,
        decay_rate: float = -0.8,
        beta_1: Optional[float] = None,
        weight_decay: float = 0.0,
        scale_parameter: bool = True,
        relative_step: bool = True,
        warmup_init: bool = False,
    ):
        super().__init__()
        if learning_rate is not None:
            self._maybe_schedule("learning_rate", learning_rate)
        self.eps = eps
        self.clip_threshold = clip_threshold
        self.decay_rate = decay_rate
        self.beta_1 = beta_1
        self.weight_decay = weight_decay
        self.scale_parameter = scale_parameter
        self.relative_step = relative_step
        self.warmup_init = warmup_init

    def init_single(self, parameter: mx.array, state: dict):
        if parameter.ndim >= 2:
            shape = parameter.shape
            dtype = parameter.dtype
            state["exp_avg_sq_row"] = mx.zeros(shape[:-1], dtype=dtype)
            state["exp_avg_sq_col"] = mx.zeros(shape[:-2] + shape[-1:], dtype=dtype)
        else:
            state["exp_avg_sq"] = mx.zeros_like(parameter)
        if self.beta_1 is not None:
            state["exp_avg"] = mx.zeros_like(parameter)

    @staticmethod
    def _rms(x):
        return mx.sqrt(mx.mean(mx.square(x)))

    def _step_size(self, step, parameter_rms):
        if self.relative_step:
            min_step = 1e-6 * step if self.warmup_init else 1e-2
            size = mx.minimum(min_step, mx.rsqrt(step))
        else:
            size = self.learning_rate
        size = size.astype(parameter_rms.dtype)
        scale = 1.0
        if self.scale_parameter:
            scale = mx.maximum(mx.array(self.eps[1], dtype=parameter_rms.dtype), parameter_rms)
        return scale * size

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        step = self.step.astype(mx.float32)
        factored = gradient.ndim >= 2
        lr = self._step_size(step, self._rms(parameter))
        beta_2 = (1.0 - mx.power(step, self.decay_rate)).astype(gradient.dtype)
        update = mx.square(gradient) + self.eps[0]

        if factored:
            row = beta_2 * state["exp_avg_sq_row"] + (1 - beta_2) * mx.mean(update, axis=-1)
            col = beta_2 * state["exp_avg_sq_col"] + (1 - beta_2) * mx.mean(update, axis=-2)
            state["exp_avg_sq_row"] = row
            state["exp_avg_sq_col"] = col
            r = mx.rsqrt(row / mx.mean(row, axis=-1, keepdims=True))
            c = mx.rsqrt(col)
            update = mx.expand_dims(r, -1) * mx.expand_dims(c, -2)
            update = update * gradient
        else:
            v = beta_2 * state["exp_avg_sq"] + (1 - beta_2) * update
            state["exp_avg_sq"] = v
            update = mx.rsqrt(v) * gradient

        update = update / mx.maximum(1.0, self._rms(update) / self.clip_threshold)
        update = lr.astype(update.dtype) * update

        if self.beta_1 is not None:
            m = self.beta_1 * state["exp_avg"] + (1 - self.beta_1) * update
            state["exp_avg"] = m
            update = m

        if self.weight_decay != 0:
            parameter = parameter + parameter * (-self.weight_decay * lr.astype(parameter.dtype))
        return parameter - update


def _newton_schulz(G, steps, eps=1e-7):
    """Approximately orthogonalize ``G`` (the polar factor) with a quintic Newton-Schulz
    iteration."""
    a, b, c = 3.4445, -4.7750, 2.0315
    transposed = G.shape[-2] > G.shape[-1]
    X = G.swapaxes(-1, -2) if transposed else G
    X = X / (mx.sqrt(mx.sum(mx.square(X), axis=(-2, -1), keepdims=True)) + eps)
    for _ in range(steps):
        A = X @ X.swapaxes(-1, -2)
        B = b * A + c * (A @ A)
        X = a * X + B @ X
    return X.swapaxes(-1, -2) if transposed else X


class Muon(Optimizer):
    r"""Muon (MomentUm Orthogonalized by Newton-schulz): SGD with (Nesterov) momentum
    whose update for matrices is replaced by an approximate orthogonalization of it.

    Args:
        learning_rate: the learning rate.
        momentum: Default: ``0.95``.
        weight_decay: weight decay (added to the gradient). Default: ``0.01``.
        nesterov: Default: ``True``.
        ns_steps: Newton-Schulz iterations. Default: ``5``.
    """

    def __init__(
        self,
        learning_rate: Union[float, Callable[[mx.array], mx.array]],
        momentum: float = 0.95,
        weight_decay: float = 0.01,
        nesterov: bool = True,
        ns_steps: int = 5,
    ):
        super().__init__()
        self._maybe_schedule("learning_rate", learning_rate)
        self.momentum = momentum
        self.weight_decay = weight_decay
        self.nesterov = nesterov
        self.ns_steps = ns_steps

    def init_single(self, parameter: mx.array, state: dict):
        state["v"] = mx.zeros_like(parameter)

    def apply_single(self, gradient: mx.array, parameter: mx.array, state: dict):
        lr = self.learning_rate.astype(gradient.dtype)
        if self.weight_decay != 0:
            gradient = gradient + self.weight_decay * parameter
        v = self.momentum * state["v"] + (1 - self.momentum) * gradient
        state["v"] = v
        if self.nesterov:
            update = gradient * (1 - self.momentum) + v * self.momentum
        else:
            update = v
        if update.ndim >= 2:
            # Higher-dimensional parameters (e.g. conv kernels) are orthogonalized as
            # (first axis) x (everything else) matrices.
            shape = update.shape
            flat = update.reshape(shape[0], -1) if update.ndim > 2 else update
            flat = _newton_schulz(flat, self.ns_steps)
            flat = flat * max(1.0, flat.shape[-2] / flat.shape[-1]) ** 0.5
            update = flat.reshape(shape)
        return parameter - lr * update


def clip_grad_norm(grads, max_norm):
    """Scale the gradients so that their global L2 norm is at most ``max_norm``.

    Returns:
        ``(clipped_gradients, total_norm)``, where ``total_norm`` is the norm before
        clipping.
    """
    norm_squared = tree_reduce(lambda acc, g: acc + mx.sum(mx.square(g)), grads, 0.0)
    total_norm = mx.sqrt(norm_squared)
    normalizer = mx.minimum(max_norm / (total_norm + 1e-6), 1.0)
    clipped = tree_map(lambda g: g * normalizer.astype(g.dtype), grads)
    return clipped, total_norm


class MultiOptimizer(Optimizer):
    """Apply different optimizers to different parameters.

    ``filters[i](path, parameter)`` selects the parameters of ``optimizers[i]``; a
    parameter goes to the first optimizer whose filter accepts it, and the last optimizer
    (which has no filter) takes the rest.

    Args:
        optimizers: the optimizers.
        filters: ``len(optimizers) - 1`` predicates ``(path, parameter) -> bool``.
    """

    def __init__(self, optimizers, filters: list = []):
        super().__init__()
        self._state = {}
        if len(filters) != len(optimizers) - 1:
            raise ValueError(
                f"Given {len(filters)} filters but {len(optimizers) - 1} needed."
            )
        self.optimizers = optimizers
        self.filters = list(filters) + [lambda *args, **kwargs: True]

    def _split_dictionary(self, gradients: dict):
        if len(self.optimizers) == 1:
            return [gradients]
        parts = [[] for _ in self.optimizers]
        for path, g in tree_flatten(gradients):
            for i, fn in enumerate(self.filters):
                if fn(path, g):
                    parts[i].append((path, g))
                    break
        return [tree_unflatten(p) if p else {} for p in parts]

    def init(self, parameters: dict):
        for o, p in zip(self.optimizers, self._split_dictionary(parameters)):
            o.init(p)

    def apply_gradients(self, gradients: dict, parameters: dict):
        tree = {}
        for o, g in zip(self.optimizers, self._split_dictionary(gradients)):
            tree = tree_merge(tree, o.apply_gradients(g, parameters))
        return tree

    @property
    def state(self):
        return {"states": [o.state for o in self.optimizers]}

    @state.setter
    def state(self, state: dict):
        if "states" not in state or len(state["states"]) != len(self.optimizers):
            raise ValueError("Invalid state provided")
        for o, s in zip(self.optimizers, state["states"]):
            o.state = s

    @property
    def step(self):
        return self.optimizers[0].step

    @property
    def learning_rate(self):
        return self.optimizers[0].learning_rate

    @learning_rate.setter
    def learning_rate(self, learning_rate):
        for o in self.optimizers:
            o.learning_rate = learning_rate
