"""Probe how fast FerCNN variants fit: first N train images, a few epochs; one JSON line per epoch.

Used to choose the fast recipe (docs/results.md, "Recipe probes"). Prints training-mode accuracy and
loss, accuracy on 2,000 clean training images in inference mode ("clean"), public_test ("val", no
inference blur: low on this data, see docs/dataset.md) and, with "pbn", both again after
`recalibrate_batch_norm`. Variant keys: n, batch, epochs, aug, cd / dd (conv / dense dropout),
zero_head, lr, opt (adam, adamw, sgd), sched ("onecycle"), pbn, seed, nval.

Run: python benchmarks/recipe_probe.py '{"name": "nd-zh-adam3e-4", "cd": 0, "dd": 0, "zero_head": true, "lr": 3e-4}'
"""
import json, sys, time
import numpy as np
import keras
from keras_fer import FerCNN, data
v = json.loads(sys.argv[1])
keras.utils.set_random_seed(v.get("seed", 0))
keras.mixed_precision.set_global_policy("mixed_bfloat16")
n = v.get("n", 8000); bs = v.get("batch", 64); ep = v.get("epochs", 3)
tr = data.load("train", manual_dir="../shared/fer2013", limit=n, batch_size=bs, augment=v.get("aug", False), seed=0)
va = data.load("public_test", manual_dir="../shared/fer2013", limit=v.get("nval", 2000), batch_size=256)
clean = data.load("train", manual_dir="../shared/fer2013", limit=2000, batch_size=256, shuffle=False)
m = FerCNN(conv_dropout=v.get("cd", 0.4), dense_dropout=v.get("dd", 0.5), logits=True)
if v.get("zero_head"):
    m.get_layer("predictions").kernel.assign(np.zeros(m.get_layer("predictions").kernel.shape))
opt = v.get("opt", "adam"); lr = v.get("lr", 1e-3)
steps = ep * int(np.ceil(n / bs))
if v.get("sched") == "onecycle":
    lr = keras.optimizers.schedules.CosineDecay(lr * 0.1, steps - steps // 5, warmup_target=lr, warmup_steps=steps // 5)
if opt == "adam": o = keras.optimizers.Adam(lr)
elif opt == "adamw": o = keras.optimizers.AdamW(lr, weight_decay=v.get("wd", 1e-4))
elif opt == "sgd": o = keras.optimizers.SGD(lr, momentum=0.9, nesterov=True)
m.compile(o, keras.losses.SparseCategoricalCrossentropy(from_logits=True), metrics=["accuracy"])
t = time.time()
for e in range(ep):
    h = m.fit(tr, epochs=1, verbose=0)
    _, va_acc = m.evaluate(va, verbose=0)
    _, cl_acc = m.evaluate(clean, verbose=0)
    extra = {}
    if v.get("pbn"):
        from keras_fer.callbacks import recalibrate_batch_norm
        recalibrate_batch_norm(m, clean)
        extra = {"val_pbn": round(m.evaluate(va, verbose=0)[1], 4), "clean_pbn": round(m.evaluate(clean, verbose=0)[1], 4)}
    print(json.dumps({"v": v, "epoch": e + 1, "train_acc": round(h.history["accuracy"][0], 4), "loss": round(h.history["loss"][0], 3),
                      "clean": round(cl_acc, 4), "val": round(va_acc, 4), "t": round(time.time() - t), **extra}), flush=True)
