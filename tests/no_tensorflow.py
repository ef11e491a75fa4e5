"""Code run first in a subprocess to make TensorFlow unimportable, as on a machine without it."""

BLOCK_TENSORFLOW = """
import sys, importlib.abc
class _NoTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ('tensorflow', 'tensorflow_datasets'):
            raise ImportError(f'No module named {name!r} (blocked by the test)')
        return None
sys.meta_path.insert(0, _NoTensorFlow())
"""
