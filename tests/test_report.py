"""keras_fer.report: confusions in words; unfinished run folders are refused before writing."""

import pandas as pd
import pytest

from keras_fer.report import Run, most_frequent_confusions, write_report


def test_confusions_in_words_largest_first_and_no_zeros():
    names = ["angry", "sad", "neutral"]
    m = pd.DataFrame([[0.9, 0.1, 0.0], [0.05, 0.77, 0.18], [0.0, 0.02, 0.98]], index=names, columns=names)
    assert most_frequent_confusions(m, 3) == ["sad → neutral: 18%", "angry → sad: 10%", "sad → angry: 5%"]
    assert most_frequent_confusions(m, 10)[-1] == "neutral → sad: 2%"  # zero rates are never named


def test_unfinished_run_is_refused_and_nothing_written(tmp_path):
    (tmp_path / "run").mkdir()
    (tmp_path / "run" / "config.json").write_text("{}")
    with pytest.raises(FileNotFoundError, match="not a finished keras-fer run .*summary.json, history.csv, best.keras"):
        Run(tmp_path / "run")
    with pytest.raises(FileNotFoundError):
        write_report([tmp_path / "run"], tmp_path / "out")
    assert not (tmp_path / "out").exists()
