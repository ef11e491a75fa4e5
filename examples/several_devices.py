"""Data-parallel training of FerCNN on several devices, with the backend's own engine.

One host: every GPU (or, with --virtual-cpus N, N virtual CPU devices, to try it on a laptop):
    python examples/several_devices.py --data ../shared/fer2013 --epochs 2 --limit 1024 --virtual-cpus 2
    KERAS_BACKEND=jax python examples/several_devices.py --data ../shared/fer2013 --virtual-cpus 2

Several hosts, TensorFlow (MultiWorkerMirroredStrategy reads TF_CONFIG; run on every host, each with
its own "index"):
    TF_CONFIG='{"cluster": {"worker": ["host1:12345", "host2:12345"]}, "task": {"type": "worker", "index": 0}}' \\
        python examples/several_devices.py --data /data/fer2013 --multi-worker
Several hosts, JAX (jax.distributed.initialize reads the coordinator from its arguments or the cluster
environment, e.g. SLURM; run on every host):
    KERAS_BACKEND=jax python examples/several_devices.py --data /data/fer2013 --jax-distributed
"""

import argparse
import os

parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
parser.add_argument("--data", default="../shared/fer2013")
parser.add_argument("--epochs", type=int, default=2)
parser.add_argument("--limit", type=int, default=1024)
parser.add_argument("--out", default="runs/several-devices")
parser.add_argument("--virtual-cpus", type=int, default=0, help="split the CPU into N virtual devices")
parser.add_argument("--multi-worker", action="store_true", help="TensorFlow, several hosts (TF_CONFIG)")
parser.add_argument("--jax-distributed", action="store_true", help="JAX, several hosts")
args = parser.parse_args()

backend = os.environ.get("KERAS_BACKEND", "tensorflow")
if args.virtual_cpus and backend == "jax":
    os.environ["XLA_FLAGS"] = f"--xla_force_host_platform_device_count={args.virtual_cpus}"
if args.virtual_cpus and backend == "tensorflow":
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * args.virtual_cpus)
if args.jax_distributed:
    import jax

    jax.distributed.initialize()  # every host's devices join one keras.distribution device mesh

from keras_fer.training import TrainConfig, train  # noqa: E402

config = TrainConfig(model="cnn", data=args.data, epochs=args.epochs, limit=args.limit, val_limit=512,
                     recipe="fast", devices="all")
if args.multi_worker:
    import tensorflow as tf

    with tf.distribute.MultiWorkerMirroredStrategy().scope():  # keras-fer trains inside the caller's strategy
        summary = train(TrainConfig(**{**config.__dict__, "devices": None}), args.out)
else:
    summary = train(config, args.out)
print(f"{args.out}: best public_test accuracy {summary['best_val_accuracy']:.4f}")
