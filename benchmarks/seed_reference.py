"""The seed report's own Keras code, transcribed (Sequential models and ImageDataGenerator).

Used only by the benchmarks, as the reference keras-fer is measured against. Layer for layer as in
`../shared/seed/000_1b96316a6e5399e0.txt` (the repeated `input_shape` arguments of the report's
BatchNormalization layers are dropped: Keras 3 ignores them after the first layer).
"""

import keras
from keras.layers import BatchNormalization, Conv2D, Dense, Dropout, Flatten, LeakyReLU, MaxPooling2D
from keras.models import Sequential


def seed_cnn(input_shape=(48, 48, 1)):
    model = Sequential()
    model.add(keras.Input(shape=input_shape))
    model.add(BatchNormalization())
    model.add(Conv2D(64, (5, 5), padding="same"))
    model.add(LeakyReLU(0.2))
    model.add(MaxPooling2D(pool_size=(2, 2), strides=(2, 2)))
    model.add(Dropout(0.4))

    model.add(BatchNormalization())
    model.add(Conv2D(128, (5, 5), padding="same"))
    model.add(LeakyReLU(0.2))
    model.add(MaxPooling2D(pool_size=(2, 2)))
    model.add(Dropout(0.4))

    model.add(BatchNormalization())
    model.add(Conv2D(256, (5, 5), padding="same"))
    model.add(LeakyReLU(0.2))
    model.add(MaxPooling2D(pool_size=(2, 2), strides=(2, 2)))
    model.add(Dropout(0.4))

    model.add(BatchNormalization())
    model.add(Conv2D(256, (5, 5), padding="same"))
    model.add(LeakyReLU(0.2))
    model.add(MaxPooling2D(pool_size=(2, 2), strides=(2, 2)))
    model.add(Dropout(0.4))

    model.add(Flatten())
    model.add(Dense(256, use_bias=True))
    model.add(LeakyReLU(0.2))
    model.add(Dropout(0.5))
    model.add(Dense(7, activation="softmax"))
    return model


def seed_dnn(input_shape=(48, 48, 1)):
    model = Sequential()
    model.add(keras.Input(shape=input_shape))
    model.add(BatchNormalization())
    model.add(Flatten())
    model.add(Dense(24 * 24 * 2))
    model.add(Dropout(0.4))
    model.add(LeakyReLU(0.2))

    model.add(BatchNormalization())
    model.add(Dense(12 * 12 * 3, use_bias=False))
    model.add(Dropout(0.4))
    model.add(LeakyReLU(0.2))

    model.add(BatchNormalization())
    model.add(Dense(6 * 6 * 5, use_bias=False))
    model.add(Dropout(0.4))
    model.add(LeakyReLU(0.2))

    model.add(BatchNormalization())
    model.add(Dense(3 * 3 * 10, use_bias=False))
    model.add(Dropout(0.4))
    model.add(LeakyReLU(0.2))

    model.add(Dense(44, use_bias=True))
    model.add(Dropout(0.5))
    model.add(LeakyReLU(0.2))
    model.add(Dense(7, activation="softmax"))
    return model


def seed_datagen():
    """The report's augmentation: Keras' (legacy) ImageDataGenerator with its settings."""
    from keras._tf_keras.keras.preprocessing.image import ImageDataGenerator

    return ImageDataGenerator(
        horizontal_flip=True, zoom_range=0.1, rotation_range=15, width_shift_range=0.1, height_shift_range=0.1
    )


if __name__ == "__main__":
    print(seed_cnn().count_params(), seed_dnn().count_params())
