"""nn.Module: the base class of all layers and models."""

import textwrap
from typing import Any, Callable, List, Optional, Union

import mlx.core as mx
from mlx.utils import tree_flatten, tree_unflatten


def _is_floating(dtype):
    return mx.issubdtype(dtype, mx.floating)


def _default_dtype_predicate(dtype):
    return _is_floating(dtype)


class Module(dict):
    """The base class of neural network layers and models.

    A ``Module`` is a ``dict``: attributes set to arrays, lists, tuples, dicts or other
    modules are stored as dict items (the module's *state*); anything else is a plain
    attribute. Parameters are the arrays found by walking the state (through nested lists,
    dicts and sub-modules) whose keys do not start with an underscore.

    Subclasses call ``super().__init__()`` first and define ``__call__``.
    """

    __call__: Callable

    def __init__(self):
        object.__setattr__(self, "_no_grad", set())
        object.__setattr__(self, "_training", True)

    # ------------------------------------------------------------------ attributes
    @property
    def training(self):
        """Whether the module is in training mode (see :meth:`train`)."""
        return self._training

    @property
    def state(self):
        """The module's state: the module itself, as a dict of its arrays and children."""
        return self

    def __getattr__(self, key: str):
        if key in self:
            return self[key]
        raise AttributeError(f"{type(self).__name__!r} object has no attribute {key!r}")

    def __setattr__(self, key: str, value: Any):
        if isinstance(value, (mx.array, dict, list, tuple)):
            if key in self.__dict__:
                object.__delattr__(self, key)
            self[key] = value
        else:
            if key in self:
                del self[key]
            object.__setattr__(self, key, value)

    def __delattr__(self, key: str):
        if key in self:
            del self[key]
        else:
            object.__delattr__(self, key)

    # ------------------------------------------------------------------ printing
    def _extra_repr(self) -> str:
        return ""

    def __repr__(self):
        children = tree_flatten(self.children(), is_leaf=self.is_module)
        text = f"{type(self).__name__}({self._extra_repr()}"
        for k, v in children:
            text += "\n" + textwrap.indent(f"({k}): {v!r}", "  ")
        if children:
            text += "\n"
        return text + ")"

    # ------------------------------------------------------------------ filters
    @staticmethod
    def is_module(value) -> bool:
        return isinstance(value, Module)

    @staticmethod
    def valid_child_filter(module, key, value) -> bool:
        return isinstance(value, (dict, list))

    @staticmethod
    def valid_parameter_filter(module, key, value) -> bool:
        return isinstance(value, (dict, list, mx.array)) and not key.startswith("_")

    @staticmethod
    def trainable_parameter_filter(module, key, value) -> bool:
        return (
            Module.valid_parameter_filter(module, key, value)
            and key not in module._no_grad
        )

    def filter_and_map(
        self,
        filter_fn: Callable[["Module", str, Any], bool],
        map_fn: Optional[Callable] = None,
        is_leaf_fn: Optional[Callable[["Module", str, Any], bool]] = None,
    ):
        """Walk the module's state and return the parts that pass ``filter_fn``.

        ``filter_fn(module, key, value)`` selects the module's items (and, with dotted keys
        like ``"layers.0"``, the items of nested lists and dicts; a nested item that does
        not pass becomes an empty dict so that list positions are kept). Leaves, by
        default arrays, or where ``is_leaf_fn(module, key, value)`` says so, are passed
        through ``map_fn``. Sub-modules are walked with their own ``filter_and_map``.
        """
        if map_fn is None:
            map_fn = _identity
        if is_leaf_fn is None:
            is_leaf_fn = _array_leaf
        return {
            k: self._unwrap(k, v, filter_fn, map_fn, is_leaf_fn)
            for k, v in self.items()
            if filter_fn(self, k, v)
        }

    def _unwrap(self, key, value, filter_fn, map_fn, is_leaf_fn):
        if is_leaf_fn(self, key, value):
            return map_fn(value)
        if isinstance(value, Module):
            return value.filter_and_map(filter_fn, map_fn, is_leaf_fn)
        if isinstance(value, dict):
            out = {}
            for k, v in value.items():
                sub = f"{key}.{k}"
                out[k] = (
                    self._unwrap(sub, v, filter_fn, map_fn, is_leaf_fn)
                    if filter_fn(self, sub, v)
                    else {}
                )
            return out
        if isinstance(value, list):
            out = []
            for i, v in enumerate(value):
                sub = f"{key}.{i}"
                out.append(
                    self._unwrap(sub, v, filter_fn, map_fn, is_leaf_fn)
                    if filter_fn(self, sub, v)
                    else {}
                )
            return out
        raise RuntimeError(
            f"[Module] Unexpected leaf of type {type(value).__name__} at {key!r} while "
            "traversing the module."
        )

    # ------------------------------------------------------------------ views
    def parameters(self):
        """All parameters (arrays) as a nested dict of lists and dicts."""
        return self.filter_and_map(self.valid_parameter_filter)

    def trainable_parameters(self):
        """The parameters that are not frozen, as a nested dict."""
        return self.filter_and_map(self.trainable_parameter_filter)

    def children(self):
        """The direct sub-modules (found through nested lists and dicts)."""
        return self.filter_and_map(
            self.valid_child_filter, is_leaf_fn=lambda m, k, v: isinstance(v, Module)
        )

    def leaf_modules(self):
        """The sub-modules that have no sub-modules of their own, as a nested dict."""

        def is_leaf(m, k, v):
            if not isinstance(v, Module):
                return False
            return len(tree_flatten(v.children(), is_leaf=Module.is_module)) == 0

        return self.filter_and_map(self.valid_child_filter, is_leaf_fn=is_leaf)

    def modules(self):
        """All modules in this tree (this one included), depth first."""
        found = []
        self.apply_to_modules(lambda _, m: found.append(m))
        return found

    def named_modules(self):
        """``(path, module)`` for all modules in this tree; this module has path ``""``."""
        found = []
        self.apply_to_modules(lambda k, m: found.append((k, m)))
        return found

    def apply_to_modules(self, apply_fn: Callable[[str, "Module"], Any]) -> "Module":
        """Call ``apply_fn(path, module)`` on every module in the tree, this one first."""
        stack = [("", self)]
        while stack:
            prefix, mod = stack.pop()
            apply_fn(prefix, mod)
            pre = "." + prefix if prefix else ""
            stack.extend(tree_flatten(mod.children(), prefix=pre, is_leaf=Module.is_module))
        return self

    # ------------------------------------------------------------------ updates
    def update(self, parameters: dict, strict: bool = True) -> "Module":
        """Replace parameters with the arrays in ``parameters`` (a nested dict as returned
        by :meth:`parameters`, possibly partial).

        With ``strict`` (the default), keys that the module lacks are an error.
        """
        if not isinstance(parameters, dict):
            raise ValueError(
                f"[update] Expected a dict of parameters but received {type(parameters).__name__}."
            )
        _update_container(self, parameters, strict, modules=False)
        return self

    def update_modules(self, modules: dict, strict: bool = True) -> "Module":
        """Replace sub-modules with those in ``modules`` (a nested dict/list as returned by
        :meth:`children` or :meth:`leaf_modules`, possibly partial)."""
        if not isinstance(modules, dict):
            raise ValueError(
                f"[update_modules] Expected a dict of modules but received {type(modules).__name__}."
            )
        _update_container(self, modules, strict, modules=True)
        return self

    def apply(
        self,
        map_fn: Callable[[mx.array], mx.array],
        filter_fn: Optional[Callable[["Module", str, Any], bool]] = None,
    ) -> "Module":
        """Replace every parameter ``p`` (selected by ``filter_fn``, all by default) with
        ``map_fn(p)``."""
        filter_fn = filter_fn or Module.valid_parameter_filter
        self.update(self.filter_and_map(filter_fn, map_fn))
        return self

    # ------------------------------------------------------------------ freezing
    def _local_parameter_keys(self):
        keys = []
        for k, v in self.items():
            if not self.valid_parameter_filter(self, k, v):
                continue
            if isinstance(v, Module):
                continue
            if isinstance(v, (list, dict)) and any(
                isinstance(x, Module) for _, x in tree_flatten(v, is_leaf=Module.is_module)
            ):
                continue
            keys.append(k)
        return keys

    def freeze(
        self,
        *,
        recurse: bool = True,
        keys: Optional[Union[str, List[str]]] = None,
        strict: bool = False,
    ) -> "Module":
        """Freeze parameters: they are left out of :meth:`trainable_parameters` and so of
        gradients and optimizer updates.

        Args:
            recurse: also freeze the sub-modules' parameters (default ``True``).
            keys: the names of the parameters to freeze (a string or a list); all local
                parameters by default.
            strict: with ``keys``, require every key to exist in each module visited.
        """

        def do(_, m):
            local = m._selected_keys(keys, strict)
            m._no_grad.update(local)

        if recurse:
            self.apply_to_modules(do)
        else:
            do("", self)
        return self

    def unfreeze(
        self,
        *,
        recurse: bool = True,
        keys: Optional[Union[str, List[str]]] = None,
        strict: bool = False,
    ) -> "Module":
        """Unfreeze parameters (the inverse of :meth:`freeze`, same arguments)."""

        def do(_, m):
            if keys is None:
                m._no_grad.clear()
            else:
                m._no_grad.difference_update(m._selected_keys(keys, strict))

        if recurse:
            self.apply_to_modules(do)
        else:
            do("", self)
        return self

    def _selected_keys(self, keys, strict):
        if keys is None:
            return self._local_parameter_keys()
        if isinstance(keys, str):
            keys = [keys]
        if strict:
            for k in keys:
                if k not in self:
                    raise KeyError(f"Module doesn't contain member {k}.")
        return list(keys)

    # ------------------------------------------------------------------ modes, dtypes
    def train(self, mode: bool = True) -> "Module":
        """Set training mode on this module and all sub-modules (``mode=False``: eval)."""

        def set_mode(_, m):
            object.__setattr__(m, "_training", bool(mode))

        self.apply_to_modules(set_mode)
        return self

    def eval(self) -> "Module":
        """Set evaluation mode (``train(False)``)."""
        return self.train(False)

    def set_dtype(
        self,
        dtype: "mx.Dtype",
        predicate: Optional[Callable[["mx.Dtype"], bool]] = _default_dtype_predicate,
    ):
        """Cast the parameters whose dtype passes ``predicate`` (floating point ones by
        default) to ``dtype``."""
        if predicate is None:
            predicate = lambda _: True
        self.apply(lambda x: x.astype(dtype) if predicate(x.dtype) else x)

    # ------------------------------------------------------------------ files
    def save_weights(self, file: str):
        """Save the parameters to ``file``: ``.npz`` or ``.safetensors``."""
        from mlx.nn.utils import _save_weights_file

        params = dict(tree_flatten(self.parameters()))
        _save_weights_file(file, params)

    def load_weights(
        self,
        file_or_weights: Union[str, List[tuple]],
        strict: bool = True,
    ) -> "Module":
        """Load parameters from a ``.npz`` / ``.safetensors`` file or a list of
        ``(path, array)`` pairs.

        With ``strict`` (the default) the weights must match the model exactly: no missing
        or extra parameters and the same shapes. Without it, the given weights are loaded
        where they fit and the rest is ignored.
        """
        weights = file_or_weights
        if isinstance(weights, str) or hasattr(weights, "__fspath__"):
            from mlx.nn.utils import _load_weights_file

            weights = list(_load_weights_file(str(weights)).items())
        elif isinstance(weights, dict):
            weights = list(weights.items())
        else:
            weights = list(weights)

        if strict:
            given = dict(weights)
            current = dict(tree_flatten(self.parameters()))
            extras = sorted(set(given) - set(current))
            if extras:
                raise ValueError(
                    f"Received {len(extras)} parameters not in model: \n"
                    + ",\n".join(extras)
                    + "."
                )
            missing = sorted(set(current) - set(given))
            if missing:
                raise ValueError(
                    f"Missing {len(missing)} parameters: \n" + ",\n".join(missing) + "."
                )
            for k, v in current.items():
                w = given[k]
                if not isinstance(w, mx.array):
                    raise ValueError(
                        f"Expected mx.array but received {type(w)} for parameter {k}"
                    )
                if tuple(w.shape) != tuple(v.shape):
                    raise ValueError(
                        f"Expected shape {tuple(v.shape)} but received shape "
                        f"{tuple(w.shape)} for parameter {k}"
                    )

        if weights:
            self.update(tree_unflatten(weights), strict=False)
        return self


def _identity(x):
    return x


def _array_leaf(module, key, value):
    return isinstance(value, mx.array)


def _bad_type(value):
    return ValueError(f"Received invalid type: {type(value).__name__}.")


def _update_container(dst, src, strict, modules):
    """Copy the leaves of ``src`` (arrays, or modules when ``modules``) into ``dst`` (a
    module, dict or list), following the structure of ``src``. Keys or list positions
    that ``dst`` lacks are an error with ``strict`` and are ignored otherwise."""
    what = "sub-module" if modules else "parameter"
    if isinstance(src, dict):
        for k, new in src.items():
            if isinstance(dst, dict) and k in dst:
                _update_item(dst, k, new, strict, modules)
            elif strict:
                raise ValueError(f'Module does not have {what} named "{k}".')
    elif isinstance(src, (list, tuple)):
        if not isinstance(dst, list):
            if len(src) == 0:
                return
            raise _bad_type(src)
        for i, new in enumerate(src):
            if i < len(dst):
                _update_item(dst, i, new, strict, modules)
            elif strict:
                raise ValueError(
                    f"List index {i} is out of bounds for destination of length {len(dst)}."
                )
    else:
        raise _bad_type(src)


def _is_leaf_value(v, modules):
    return isinstance(v, Module) if modules else isinstance(v, mx.array)


def _update_item(dst, k, new, strict, modules):
    cur = dst[k]
    if _is_leaf_value(new, modules):
        if modules:
            if not isinstance(cur, Module) and not (
                isinstance(cur, (dict, list)) and len(cur) == 0
            ):
                if strict:
                    raise _bad_type(new)
            dst[k] = new
        else:
            if isinstance(cur, (Module,)) and strict:
                raise _bad_type(new)
            dst[k] = new
        return
    if isinstance(new, (dict, list, tuple)):
        if len(new) == 0:
            return
        if isinstance(cur, Module):
            if not isinstance(new, dict):
                raise _bad_type(new)
            if modules:
                cur.update_modules(new, strict=strict)
            else:
                cur.update(new, strict=strict)
            return
        if isinstance(cur, (dict, list)):
            _update_container(cur, new, strict, modules)
            return
        if isinstance(cur, tuple) and isinstance(new, (list, tuple)):
            items = list(cur)
            _update_container(items, new, strict, modules)
            dst[k] = tuple(items)
            return
        raise _bad_type(new)
    raise _bad_type(new)
