"""Q1: the seed's CNN against a DNN with exactly as many parameters; architectures, counts, accuracy.

Run: python examples/q1_cnn_vs_dnn.py --epochs 2 --limit 1024
"""

from _common import parse, run

from keras_fer import FerCNN, FerDNN

args = parse(__doc__)
cnn, dnn = FerCNN(), FerDNN(param_budget=FerCNN().count_params())
cnn.summary()
dnn.summary()
print(f"parameters: cnn {cnn.count_params():,}, dnn {dnn.count_params():,}")

summaries = {"q1-cnn": run(args, "q1-cnn", model="cnn"),
             "q1-dnn": run(args, "q1-dnn", model="dnn", param_budget="match-cnn")}
for name, s in summaries.items():
    print(f"{name}: {s['params']['total']:,} parameters, best {s['selected_on']} accuracy {s['best_val_accuracy']:.4f} "
          f"(epoch {s['best_epoch']}), public_test once {s['public_test_accuracy_of_best']:.4f}, "
          f"{s['train_images_per_second']:.0f} training images/s")
