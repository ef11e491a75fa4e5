"""Regenerates the builder's dummy data: one small synthetic folder per source layout.

Run: python tfds_fer2013/dummy_data/make_dummy_data.py
"""

import pathlib
import shutil

from tfds_fer2013 import testing

HERE = pathlib.Path(__file__).parent

if __name__ == "__main__":
    for name in ("fer2013_csv", "fer2013_csv_gz", "icml_csv", "course_csv", "image_folders"):
        shutil.rmtree(HERE / name, ignore_errors=True)
    testing.write_fer2013_csv(HERE / "fer2013_csv", n_train=14, n_public=7, n_private=7)
    testing.write_fer2013_csv(HERE / "fer2013_csv_gz", n_train=14, n_public=7, gz=True, seed=1)
    testing.write_fer2013_csv(HERE / "icml_csv", n_train=7, n_public=7, n_private=7, icml=True, seed=2)
    testing.write_course_csv(HERE / "course_csv", n_train=14, n_test=7, seed=3)
    testing.write_image_folders(HERE / "image_folders", per_class_train=2, per_class_test=2, seed=4, fmt="jpg")
