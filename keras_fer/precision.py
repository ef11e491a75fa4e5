"""Choosing the compute precision: `auto` picks what the hardware runs fastest without losing accuracy.

Example:
    >>> resolve_precision("float32")
    'float32'
"""

from __future__ import annotations

from keras_fer.errors import ConfigError

import pathlib

PRECISIONS = ("auto", "float32", "mixed_bfloat16", "mixed_float16")


def _cpu_flags() -> set:
    try:
        text = pathlib.Path("/proc/cpuinfo").read_text()
    except OSError:
        return set()
    for line in text.splitlines():
        if line.startswith("flags"):
            return set(line.split(":", 1)[1].split())
    return set()


def _gpu_with_tensor_cores() -> bool:
    import keras

    backend = keras.backend.backend()
    try:
        if backend == "jax":
            import jax

            return any(d.platform == "gpu" for d in jax.devices())
        if backend == "torch":
            import torch

            return torch.cuda.is_available() and torch.cuda.get_device_capability()[0] >= 7
        if backend == "tensorflow":
            import tensorflow as tf

            gpus = tf.config.list_physical_devices("GPU")
            if not gpus:
                return False
            cc = tf.config.experimental.get_device_details(gpus[0]).get("compute_capability", (0, 0))
            return cc[0] >= 7
    except Exception:  # a backend that cannot answer: assume no GPU
        return False
    return False


def resolve_precision(precision: str = "auto") -> str:
    """Returns the Keras dtype policy name for `precision`.

    `auto`: `mixed_float16` on a GPU with tensor cores, `mixed_bfloat16` on a CPU with
    AVX512-BF16 or AMX, `float32` otherwise.
    """
    if precision not in PRECISIONS:
        raise ConfigError(f"precision={precision!r}: expected one of {PRECISIONS}")
    if precision != "auto":
        return precision
    if _gpu_with_tensor_cores():
        return "mixed_float16"
    if _cpu_flags() & {"avx512_bf16", "amx_bf16"}:
        return "mixed_bfloat16"
    return "float32"


def set_precision(precision: str = "auto") -> str:
    """Sets Keras' global dtype policy from `precision` and returns the policy name.

    Models built afterwards compute in that precision; their softmax output stays float32.
    """
    policy = resolve_precision(precision)
    import keras

    keras.mixed_precision.set_global_policy(policy)
    return policy
