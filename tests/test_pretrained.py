"""keras_fer.pretrained: weights shipped in the package, float16, SHA-256 checked, no download."""

import keras
import numpy as np
import pytest

import keras_fer.models.weights as weights_files
import keras_fer.pretrained as pretrained
from keras_fer import FerCNN
from conftest import REAL_DATA


@pytest.fixture
def bundled(tmp_path, monkeypatch):
    """A random FerCNN(rescale=1/255) bundled into a temporary weights folder."""
    monkeypatch.setattr(weights_files, "_DIR", tmp_path / "weights")
    keras.utils.set_random_seed(0)
    model = FerCNN(rescale=1 / 255)
    from keras_fer.callbacks.checkpoint import functional_twin

    functional_twin(model).save(tmp_path / "best.keras")  # as BestModelCheckpoint saves it
    info = pretrained.bundle(tmp_path / "best.keras", accuracy=0.5, command="keras-fer train ...")
    return model, info, tmp_path / "weights"


def test_bundle_then_load_gives_the_same_model_to_float16_precision(bundled):
    model, info, folder = bundled
    assert info["dtype"] == "float16" and info["params"] == 3_258_379
    assert info["bytes"] == (folder / "fer_cnn_fer2013.npz").stat().st_size < 8 * 2**20
    loaded = FerCNN(weights="fer2013")
    assert loaded.rescale == pytest.approx(1 / 255)
    x = np.random.default_rng(0).uniform(0, 255, (8, 48, 48, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=2e-3)
    logits = pretrained.load_pretrained(logits=True, architecture="FerCNN")
    assert logits.get_config()["logits"] is True


def test_an_altered_file_is_refused(bundled):
    _, _, folder = bundled
    path = folder / "fer_cnn_fer2013.npz"
    blob = bytearray(path.read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(pretrained.PretrainedWeightsError, match="does not match the manifest"):
        FerCNN(weights="fer2013")


def test_weights_fit_only_the_default_architecture(bundled):
    with pytest.raises(pretrained.PretrainedWeightsError, match="other names or shapes"):
        FerCNN(weights="fer2013", filters=(8, 8, 8, 8))
    with pytest.raises(ValueError, match="rescale=1/255"):
        FerCNN(weights="fer2013", standardize=(120.0, 900.0))
    with pytest.raises(ValueError, match="weights='imagenet'"):
        FerCNN(weights="imagenet")


def test_missing_weights_say_so(tmp_path, monkeypatch):
    monkeypatch.setattr(weights_files, "_DIR", tmp_path)
    with pytest.raises(pretrained.PretrainedWeightsError, match="not in this installation"):
        pretrained.load_pretrained()


def test_a_model_trained_without_rescale_is_not_bundled(tmp_path, monkeypatch):
    monkeypatch.setattr(weights_files, "_DIR", tmp_path / "weights")
    FerCNN().save(tmp_path / "raw.keras")
    with pytest.raises(pretrained.PretrainedWeightsError, match="without rescale"):
        pretrained.bundle(tmp_path / "raw.keras", accuracy=0.1, command="x")
    assert not (tmp_path / "weights" / "fer_cnn_fer2013.json").exists()


@pytest.mark.parametrize("architecture, name, params", [("FerCNN", "fer2013", 3_258_379),
                                                        ("FerVGG", "fer2013", 1_767_207),
                                                        ("FerVGG", "fer2013-course", 1_767_207),
                                                        ("FerVGG", "fer2013-course2", 1_767_207),
                                                        ("FerVGG", "fer2013-long", 1_767_207)])
def test_the_shipped_weights_load_under_8_mb_with_their_manifest(architecture, name, params):
    info = pretrained.manifest(name, architecture=architecture)
    weights = weights_files._DIR / f"{pretrained._FILES[(architecture, name)]}.npz"
    assert weights.stat().st_size == info["bytes"] < 8 * 10**6 and info["dtype"] == "float16"
    assert info["params"] == params and 0 < info["public_test_accuracy"] < 1
    model = pretrained.load_pretrained(name, architecture=architecture)
    assert type(model).__name__ == architecture
    probs = model.predict(np.full((2, 48, 48, 1), 128, "float32"), verbose=0)
    assert probs.shape == (2, 7) and np.allclose(probs.sum(axis=1), 1, atol=1e-4)


def test_the_default_averages_its_members_and_unknown_sets_are_refused():
    x = np.random.default_rng(1).uniform(0, 255, (4, 48, 48, 1)).astype("float32")
    members = [pretrained.load_pretrained(n, architecture=a) for a, n in pretrained.DEFAULT_MODEL]
    assert len(members) == 3 and all(type(m).__name__ == pretrained.DEFAULT_ARCHITECTURE for m in members)
    expected = np.mean([m.predict(x, verbose=0) for m in members], axis=0)
    np.testing.assert_allclose(pretrained.load_pretrained().predict(x, verbose=0), expected, atol=1e-5)
    with pytest.raises(ValueError, match="FerCNN: no bundled weights 'fer2013-course'"):
        FerCNN(weights="fer2013-course")
    with pytest.raises(ValueError, match="name one member"):
        pretrained.load_pretrained(logits=True)


def real_public_test():
    """FER2013's public_test images and labels, read by the builder's own readers (the pixels TFDS
    prepares, in the file's order) without preparing the whole dataset: 8 s instead of 25."""
    from tfds_fer2013.readers import read_labelled

    x, y = read_labelled(REAL_DATA)["public_test"]
    return x, y


@pytest.mark.slow(seconds=85)
@pytest.mark.skipif(not (REAL_DATA / "fer2013.csv.gz").is_file(), reason="needs the real FER2013 (../shared/fer2013)")
def test_the_shipped_weights_public_test_accuracy():
    """The figures of docs/model_card.md, to 4 decimals, from the weights as shipped (float16): each
    model alone, and the default model (the three FerVGGs averaged) with mirror TTA, as `detect` runs it.
    (One pass over the 3,589 faces costs 7-20 s on a core: the members' passes make the default's.)"""
    from keras_fer import flip_tta

    x, y = real_public_test()
    x = x.astype("float32")
    accuracy = lambda p: round(float(np.mean(p.argmax(1) == y)), 4)  # noqa: E731
    assert accuracy(pretrained.load_pretrained(architecture="FerCNN").predict(x, verbose=0, batch_size=512)) == 0.6537
    both = np.concatenate([x, x[:, :, ::-1]])
    plain, mirrored = [], []
    for (architecture, name), figure in zip(pretrained.DEFAULT_MODEL, (0.6595, 0.6698, 0.6654)):
        probs = pretrained.load_pretrained(name, architecture=architecture).predict(both, verbose=0, batch_size=512)
        assert accuracy(probs[:len(x)]) == figure, name
        plain.append(probs[:len(x)])
        mirrored.append((probs[:len(x)] + probs[len(x):]) / 2)
    default = flip_tta(pretrained.load_pretrained())
    np.testing.assert_allclose(default.predict(x[:64], verbose=0), np.mean(mirrored, axis=0)[:64], atol=1e-5)
    assert accuracy(np.mean(plain, axis=0)) == 0.6818
    assert accuracy(np.mean(mirrored, axis=0)) == 0.6879


def test_fer_vgg_weights_bundle_and_load_by_variable_path(tmp_path, monkeypatch):
    from keras_fer import FerVGG
    from keras_fer.callbacks.checkpoint import functional_twin

    monkeypatch.setattr(weights_files, "_DIR", tmp_path / "weights")
    keras.utils.set_random_seed(1)
    model = FerVGG(rescale=1 / 255)
    functional_twin(model).save(tmp_path / "best.keras")
    with pytest.raises(pretrained.PretrainedWeightsError, match="not a FerCNN"):
        pretrained.bundle(tmp_path / "best.keras", accuracy=0.5, command="x")  # the architecture is checked
    info = pretrained.bundle(tmp_path / "best.keras", accuracy=0.5, command="x", architecture="FerVGG")
    assert info["architecture"] == "FerVGG(rescale=1/255)"
    with np.load(tmp_path / "weights" / "fer_vgg_fer2013.npz") as arrays:
        assert "stage1_conv1/kernel" in arrays.files  # keyed by variable path, not by order
    loaded = pretrained.load_pretrained(architecture="FerVGG")
    x = np.random.default_rng(0).uniform(0, 255, (4, 48, 48, 1)).astype("float32")
    np.testing.assert_allclose(loaded.predict(x, verbose=0), model.predict(x, verbose=0), atol=2e-3)
