"""Shared data code: format readers, tf.data pipelines, augmentation and sample-data generators."""
