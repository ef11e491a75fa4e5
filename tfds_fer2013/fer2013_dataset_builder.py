"""The TFDS builder `fer2013`: FER2013 faces from the files a user holds (manual download).

Example:
    >>> import tfds_fer2013, tensorflow_datasets as tfds
    >>> builder = tfds.builder("fer2013")
    >>> builder.info.features["label"].names[:3]
    ['angry', 'disgust', 'fear']
    >>> config = tfds.download.DownloadConfig(manual_dir="../shared/fer2013")
    >>> builder.download_and_prepare(download_config=config)  # doctest: +SKIP
"""

from __future__ import annotations

import pathlib
import shutil

import numpy as np
import tensorflow_datasets as tfds

from tfds_fer2013 import readers

_HOMEPAGE = (
    "https://www.kaggle.com/c/challenges-in-representation-learning-facial-expression-recognition-challenge"
)


class Builder(tfds.core.GeneratorBasedBuilder):
    """FER2013: 48x48 grayscale faces in 7 expression classes, split by the source's Usage."""

    VERSION = tfds.core.Version("1.0.0")
    RELEASE_NOTES = {
        "1.0.0": "Initial release: splits train/public_test/private_test from the source's Usage; "
        "reads fer2013.csv(.gz), icml_face_data.csv, the course train.csv and image folders.",
    }
    MANUAL_DOWNLOAD_INSTRUCTIONS = readers.MANUAL_DOWNLOAD_INSTRUCTIONS

    def download_and_prepare(self, *args, **kwargs):
        """TFDS' `download_and_prepare`; missing files give one clear `FerLayoutError` (with the download
        instructions), and a data dir that the failed call created is removed again."""
        root = pathlib.Path(self.data_dir_root)
        existed = root.exists()
        try:
            return super().download_and_prepare(*args, **kwargs)
        except (readers.FerLayoutError, readers.FerDataError, AssertionError) as err:
            if not existed:
                shutil.rmtree(root, ignore_errors=True)
            if isinstance(err, AssertionError) and "Manual directory" in str(err):  # TFDS' own check
                manual = str(err).split("Manual directory ", 1)[1].split(" does not exist", 1)[0]
                readers.find_layout(manual)  # raises FerLayoutError, naming the folder and what to put there
            raise

    def _info(self) -> tfds.core.DatasetInfo:
        return self.dataset_info_from_configs(
            features=tfds.features.FeaturesDict(
                {
                    "image": tfds.features.Image(shape=(readers.IMAGE_SIZE, readers.IMAGE_SIZE, 1)),
                    "label": tfds.features.ClassLabel(names=list(readers.CLASS_NAMES)),
                }
            ),
            supervised_keys=("image", "label"),
            homepage=_HOMEPAGE,
        )

    def _split_generators(self, dl_manager: tfds.download.DownloadManager):
        # Read and validate every file before TFDS writes anything.
        layout = readers.find_layout(dl_manager.manual_dir)
        splits = readers.read_layout(layout)
        return {name: self._generate_examples(*arrays) for name, arrays in splits.items()}

    def _generate_examples(self, images: np.ndarray, labels: np.ndarray):
        # PNG bytes from OpenCV: TFDS would encode each array with an eager TensorFlow op, and FER2013 took
        # 17.8 CPU-s to prepare instead of 12.4-13.4; the decoded pixels are the same. Level 3: within 3% of
        # TensorFlow's PNG sizes (OpenCV's default, level 1 with run-length coding, is 10% larger), no slower
        import cv2

        for index, (image, label) in enumerate(zip(images, labels)):
            ok, png = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 3])
            if not ok:  # pragma: no cover  (OpenCV encodes any 48x48 uint8 array)
                raise readers.FerDataError(f"example {index}: OpenCV could not encode it as PNG")
            yield index, {"image": png.tobytes(), "label": int(label)}
