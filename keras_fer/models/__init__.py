"""The model zoo: `FerCNN`, `FerDNN`, the parameter-budget solver, ensembles and flip TTA (Keras only).

Example:
    >>> from keras_fer.models import FerCNN, FerDNN
    >>> FerDNN(param_budget=FerCNN().count_params()).count_params()
    3258379
"""

from keras_fer.models.budget import (  # noqa: F401
    SEED_DNN_WIDTHS,
    WidthSolution,
    dnn_param_count,
    solve_widths,
)
from keras_fer.models.cnn import FerCNN  # noqa: F401
from keras_fer.models.dnn import FerDNN  # noqa: F401
from keras_fer.models.ensemble import ensemble  # noqa: F401
from keras_fer.models.vgg import FerVGG  # noqa: F401
from keras_fer.models.tta import CentreZoom, HorizontalFlip, flip_tta, zoom_tta  # noqa: F401
