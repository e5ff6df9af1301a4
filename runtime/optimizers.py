"""The optimizers a config names, with gradient clipping and a learning-rate schedule as options.

    learning_rate = phase_learning_rate(config.train, phase, steps_per_epoch=len(train_batches))
    model.compile(optimizer=make_optimizer("adam", learning_rate), ...)

A schedule is a function of the optimizer's step count, which the checkpoint saves with the optimizer, so a resumed
run goes on at the learning rate the uninterrupted run would have reached. `plateau` halves the optimizer's own
learning rate variable (Keras' `ReduceLROnPlateau`), which the checkpoint saves as well.
"""

import keras


def make_optimizer(name, learning_rate, clip_norm=0.0):
    """`adam | adamw | sgd` (SGD with Nesterov momentum 0.9); `learning_rate` a number or a Keras schedule;
    `clip_norm` > 0 clips the gradients' global norm."""
    clipping = {"global_clipnorm": clip_norm} if clip_norm > 0 else {}
    if name == "sgd":
        return keras.optimizers.SGD(learning_rate, momentum=0.9, nesterov=True, **clipping)
    if name == "adamw":
        return keras.optimizers.AdamW(learning_rate, **clipping)
    return keras.optimizers.Adam(learning_rate, **clipping)


def phase_learning_rate(train, phase, steps_per_epoch):
    """What the optimizer of `phase` (a `runtime.phases.Phase`) is given: `phase.learning_rate` itself, or for
    `train.schedule: cosine` a linear warm-up over `train.warmup_epochs` to it, then a cosine decay to 0 over the
    rest of the phase's `epochs * steps_per_epoch` steps."""
    if train.schedule != "cosine":
        return phase.learning_rate
    total = max(1, phase.epochs * steps_per_epoch)
    warmup = min(round(train.warmup_epochs * steps_per_epoch), total - 1)
    if warmup == 0:
        return keras.optimizers.schedules.CosineDecay(phase.learning_rate, decay_steps=total)
    return keras.optimizers.schedules.CosineDecay(
        phase.learning_rate / warmup,  # step 0 already learns: the warm-up reaches the peak at step `warmup`
        decay_steps=total - warmup,
        warmup_target=phase.learning_rate,
        warmup_steps=warmup,
    )


def current_learning_rate(optimizer):
    """The learning rate `optimizer` applies at its next step, as a float, schedule or not."""
    return float(keras.ops.convert_to_numpy(optimizer.learning_rate))
