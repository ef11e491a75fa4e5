"""Data-parallel training on the backend's own engine: `tf.distribute.MirroredStrategy` (TensorFlow) or
`keras.distribution.DataParallel` (JAX). Nothing of keras-fer's own moves tensors between devices.

The batch size stays the global one (each of N devices gets 1/N of every batch) and the learning rate
is unchanged, so a 1-device and an N-device run of one configuration are the same optimisation up to
floating-point order (BatchNormalization statistics are per device on TensorFlow, as Keras does).
Across hosts: `TF_CONFIG` + `tf.distribute.MultiWorkerMirroredStrategy`, or
`jax.distributed.initialize()` before `keras.distribution` (docs/usage.md, "More than one device").

Example:
    >>> from keras_fer.distribute import data_parallel
    >>> with data_parallel(None) as engine:       # one device: nothing changes
    ...     engine is None
    True
"""

from __future__ import annotations

from keras_fer.errors import ConfigError

import contextlib
from typing import Optional, Union


def check_devices(devices: Union[int, str, None]) -> Union[int, str, None]:
    """`devices` checked: None (one device), "all", or a positive integer (a string of one, as a command
    line or a JSON file gives it, becomes the integer); anything else raises `ValueError` naming it."""
    if devices is None or devices == "all":
        return devices
    number = devices
    if isinstance(devices, str):
        with contextlib.suppress(ValueError):
            number = int(devices)
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise ConfigError(f"devices={devices!r}: expected a positive integer or 'all'")
    return number


def count_devices(devices: Union[int, str, None]) -> int:
    """How many devices `devices` ("all", a positive number, or None for one) means on this backend."""
    return len(_chosen_devices(devices)) if devices is not None else 1


def _chosen_devices(devices: Union[int, str]) -> list:
    """The names of the devices `devices` ("all" or a positive number) means, checked against this machine."""
    devices = check_devices(devices)
    available = _device_names()
    if devices == "all":
        return available
    if devices > len(available):
        raise ConfigError(f"devices={devices}: this machine's backend sees {len(available)} device(s)")
    return available[:devices]


def _device_names():
    import keras

    backend = keras.backend.backend()
    if backend == "tensorflow":
        import tensorflow as tf

        kind = "GPU" if tf.config.list_logical_devices("GPU") else "CPU"
        return [d.name for d in tf.config.list_logical_devices(kind)]
    if backend == "jax":
        return keras.distribution.list_devices()
    raise ConfigError(f"more than one device needs the tensorflow or jax backend, not {backend}")


_STRATEGIES: dict = {}


@contextlib.contextmanager
def data_parallel(devices: Union[int, str, None]):
    """Within this context, models built, compiled and fitted train data-parallel on `devices`.

    Yields the engine (a `tf.distribute.Strategy` or a `keras.distribution.DataParallel`), or None
    for one device.
    """
    names = _chosen_devices(devices) if devices is not None else []
    if len(names) <= 1:
        yield None
        return
    import keras

    if keras.backend.backend() == "tensorflow":
        import tensorflow as tf

        # One strategy per device list and process: a second MirroredStrategy over the same devices
        # would hand out clashing collective-op keys.
        if tuple(names) not in _STRATEGIES:
            _STRATEGIES[tuple(names)] = tf.distribute.MirroredStrategy(names)
        with _STRATEGIES[tuple(names)].scope() as strategy:
            yield strategy
        return
    previous: Optional[object] = keras.distribution.distribution()
    engine = keras.distribution.DataParallel(devices=names)
    keras.distribution.set_distribution(engine)
    try:
        yield engine
    finally:
        keras.distribution.set_distribution(previous)
