"""One seed for Python, NumPy and the backend, so a run can be repeated."""

import keras


def set_seed(seed):
    keras.utils.set_random_seed(int(seed))
