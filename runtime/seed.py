"""One seed for Python, NumPy and the backend, so a run can be repeated."""

import keras


def set_seed(seed, deterministic=False):
    """Seeds every generator; `deterministic` also makes TensorFlow repeat a run bit for bit.

    With a seed alone, two runs still differ a little: threads add floating-point numbers in varying
    order, and tf.data maps that hold random layers run in parallel, so images meet their random
    transforms in varying order. On a small dataset such differences grow into visibly different
    models. Determinism removes them at a cost in speed, for the rest of the process (TensorFlow
    offers no way back).
    """
    keras.utils.set_random_seed(int(seed))
    if deterministic:
        import tensorflow as tf

        tf.config.experimental.enable_op_determinism()
