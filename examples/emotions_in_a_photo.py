"""Emotions of the faces in a photo, with the weights shipped in keras-fer (no download, no training).

Run: python examples/emotions_in_a_photo.py [PHOTO ...]
(without a photo it uses the astronaut portrait that ships inside scikit-image, if installed)
"""

import sys

import keras_fer

photos = sys.argv[1:]
if not photos:
    from skimage.data import astronaut  # a real photograph inside scikit-image's wheel

    photos = [astronaut()]  # an RGB numpy array
detector = keras_fer.EmotionDetector()
for photo, faces in zip(photos, detector.detect_many(photos)):
    name = photo if isinstance(photo, str) else "astronaut (scikit-image)"
    if not faces:
        print(f"{name}: no face found")
    for face in faces:
        top = sorted(face["probabilities"].items(), key=lambda kv: -kv[1])[:3]
        print(f"{name}: face at {face['box']}: {face['label']} ({', '.join(f'{k} {v:.2f}' for k, v in top)})")
