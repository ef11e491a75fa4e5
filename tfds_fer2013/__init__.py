"""TFDS builder `fer2013` over the FER2013 files a user holds; importing this package registers it.

Importing is cheap (no TensorFlow): when `tensorflow_datasets` is already imported the builder is
registered at once, otherwise right after `tensorflow_datasets` is first imported (a one-shot import
hook). The file readers in `tfds_fer2013.readers` need only numpy, pandas and PIL.

Example:
    >>> import tfds_fer2013, tensorflow_datasets as tfds
    >>> tfds.builder("fer2013").info.version
    Version('1.0.0')
"""

import importlib
import importlib.abc
import importlib.util
import sys

#: The seven classes, in the label order of the original fer2013.csv (the one home of this list).
CLASS_NAMES = ("angry", "disgust", "fear", "happy", "sad", "surprise", "neutral")
#: The splits, from the source's Usage Training / PublicTest / PrivateTest.
SPLITS = ("train", "public_test", "private_test")

_BUILDER = "tfds_fer2013.fer2013_dataset_builder"


def _register_builder() -> None:
    importlib.import_module(_BUILDER)


class _RegisterAfterLoad(importlib.abc.Loader):
    """Runs `tensorflow_datasets`' own loader, then imports the builder (which registers it)."""

    def __init__(self, inner):
        self.inner = inner

    def __getattr__(self, name):  # resource readers and the like: the real loader's
        return getattr(self.inner, name)

    def create_module(self, spec):
        return self.inner.create_module(spec)

    def exec_module(self, module):
        module.__spec__.loader = module.__loader__ = self.inner  # the package sees its own loader
        self.inner.exec_module(module)
        _register_builder()


class _RegisterOnImport(importlib.abc.MetaPathFinder):
    """Finds `tensorflow_datasets` with the other finders and wraps its loader (once)."""

    def find_spec(self, fullname, path=None, target=None):
        if fullname != "tensorflow_datasets":
            return None
        sys.meta_path.remove(self)
        spec = importlib.util.find_spec(fullname)
        if spec is not None and spec.loader is not None:
            spec.loader = _RegisterAfterLoad(spec.loader)
        return spec


if "tensorflow_datasets" in sys.modules:
    try:
        _register_builder()
    except ImportError:  # pragma: no cover - a broken TensorFlow install
        pass
elif not any(isinstance(f, _RegisterOnImport) for f in sys.meta_path):
    sys.meta_path.insert(0, _RegisterOnImport())
