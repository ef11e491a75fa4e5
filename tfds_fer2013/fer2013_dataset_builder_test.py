"""TFDS builder tests: one `DatasetBuilderTestCase` per source layout, over `dummy_data/`."""

import pathlib

import tensorflow_datasets as tfds

from tfds_fer2013 import fer2013_dataset_builder

DUMMY = pathlib.Path(__file__).parent / "dummy_data"


class Fer2013CsvTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = fer2013_dataset_builder.Builder
    EXAMPLE_DIR = DUMMY / "fer2013_csv"
    SPLITS = {"train": 14, "public_test": 7, "private_test": 7}


class Fer2013CsvGzTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = fer2013_dataset_builder.Builder
    EXAMPLE_DIR = DUMMY / "fer2013_csv_gz"
    SPLITS = {"train": 14, "public_test": 7}


class IcmlCsvTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = fer2013_dataset_builder.Builder
    EXAMPLE_DIR = DUMMY / "icml_csv"
    SPLITS = {"train": 7, "public_test": 7, "private_test": 7}


class CourseCsvTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = fer2013_dataset_builder.Builder
    EXAMPLE_DIR = DUMMY / "course_csv"
    SPLITS = {"train": 14}


class ImageFoldersTest(tfds.testing.DatasetBuilderTestCase):
    DATASET_CLASS = fer2013_dataset_builder.Builder
    EXAMPLE_DIR = DUMMY / "image_folders"
    SPLITS = {"train": 14, "public_test": 7, "private_test": 7}


if __name__ == "__main__":
    tfds.testing.test_main()
