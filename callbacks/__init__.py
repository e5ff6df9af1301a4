"""Shared Keras callbacks: atomic checkpoints and resume, TensorBoard extras, throughput, warnings."""
