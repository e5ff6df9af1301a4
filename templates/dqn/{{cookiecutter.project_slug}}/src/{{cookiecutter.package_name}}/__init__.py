"""{{ cookiecutter.description }}."""
{%- if cookiecutter.engine == "tf-agents" %}

import os

# tf-agents and TensorFlow Probability need legacy Keras 2 behind `tf.keras`. This project's own code imports
# Keras 3 as `keras`, so both live side by side; the switch must be set before anything touches `tf.keras`.
os.environ["TF_USE_LEGACY_KERAS"] = "1"
{%- endif %}

__version__ = "0.1.0"
