"""`run_after_import`: call a function as soon as a module is imported (at once if it already is).

Lets `import tfds_fer2013` / `import keras_fer` stay cheap and still register the TFDS builder and
the Keras classes the moment tensorflow_datasets / Keras are imported. Standard `importlib` only.

Example:
    >>> seen = []
    >>> run_after_import("json", lambda: seen.append("json"))
    >>> seen
    ['json']
"""

from __future__ import annotations

import importlib.abc
import importlib.util
import sys
from typing import Callable


class _ThenCall(importlib.abc.Loader):
    """Runs the module's own loader, then `callback`."""

    def __init__(self, inner, callback):
        self.inner, self.callback = inner, callback

    def __getattr__(self, name):  # resource readers and the like: the real loader's
        return getattr(self.inner, name)

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        module.__spec__.loader = module.__loader__ = self.inner  # the module sees its own loader
        self.inner.exec_module(module)
        self.callback()


class _Finder(importlib.abc.MetaPathFinder):
    """Finds `name` with the other finders, once, and wraps its loader."""

    def __init__(self, name, callback):
        self.name, self.callback = name, callback

    def find_spec(self, fullname, path=None, target=None):
        if fullname != self.name:
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _ThenCall(spec.loader, self.callback)
        return spec


def run_after_import(name: str, callback: Callable[[], None]) -> None:
    """Calls `callback()` now if module `name` is imported, else right after it first is (once)."""
    if name in sys.modules:
        callback()
    elif not any(isinstance(f, _Finder) and f.name == name and f.callback == callback for f in sys.meta_path):
        sys.meta_path.insert(0, _Finder(name, callback))
