"""Code run first in a subprocess to make TensorFlow unimportable, as on a machine without it: `import
tensorflow` raises ModuleNotFoundError and `importlib.util.find_spec("tensorflow")` answers None (etils,
which JAX's compilation cache uses, asks that way whether TensorFlow is installed)."""

BLOCK_TENSORFLOW = """
import sys, importlib.abc, importlib.util
_BLOCKED = ('tensorflow', 'tensorflow_datasets')
class _NoTensorFlow(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in _BLOCKED:
            raise ModuleNotFoundError(f'No module named {name!r} (blocked by the test)', name=name)
        return None
sys.meta_path.insert(0, _NoTensorFlow())
_find_spec = importlib.util.find_spec
def _find_spec_without_tensorflow(name, package=None):
    if name.split('.')[0] in _BLOCKED:
        return None
    return _find_spec(name, package)
importlib.util.find_spec = _find_spec_without_tensorflow
"""
