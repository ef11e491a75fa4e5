"""benchmarks/ingredients.py: each row changes one thing in the robust recipe; the table compares each
row with the mean of the baseline's two seeds, on validation only."""

import json
import pathlib
import sys

import pandas as pd
import pytest

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1] / "benchmarks"))
ingredients = pytest.importorskip("ingredients")


def test_each_row_changes_one_thing_of_the_robust_recipe():
    from keras_fer.recipes import ROBUST

    assert ingredients.row_recipe("baseline", 6).augmentation == ROBUST.augmentation
    assert ingredients.row_recipe("erasing", 6).augmentation == {**ROBUST.augmentation, "erasing": 0.5}
    assert ingredients.row_recipe("mixup", 6).mixup == 0.2 and ingredients.row_recipe("ema", 6).ema == 0.998
    assert ingredients.row_recipe("one-cycle", 10).warmup_epochs == pytest.approx(3.0)
    assert ingredients.row_recipe("course aug", 6).augmentation is None
    sgd = ingredients.row_recipe("sgd", 6)
    assert (sgd.optimizer, sgd.learning_rate, sgd.weight_decay) == ("sgd", 0.05, 5e-4)


def test_the_table_reads_finished_rows_only(tmp_path):
    for name, accs in {"baseline": [0.5, 0.56], "seed-1": [0.5, 0.54], "mixup": [0.5, 0.58]}.items():
        folder = tmp_path / name
        folder.mkdir()
        pd.DataFrame({"epoch": [1, 2], "val_accuracy": accs, "accuracy": [0.4, 0.5]}).to_csv(
            folder / "history.csv", index=False)
        (folder / "summary.json").write_text(json.dumps(
            {"best_val_accuracy": max(accs), "train_images_per_second": 100.0, "wall_seconds": 120.0}))
    (tmp_path / "ema").mkdir()  # unfinished: no summary.json
    frame = ingredients.table(tmp_path)
    assert frame["row"].tolist() == ["baseline", "seed 1", "mixup"]
    assert frame.set_index("row").loc["mixup", "vs baseline mean"] == pytest.approx(0.03)
    assert (tmp_path / "ingredients.csv").is_file()
