"""The judge: a small CNN trained on the real images, whose features and predictions score generated ones.

KID compares the judge's features of samples and of real images; `conditional_accuracy` asks it which class
a sample shows. It learns the class folders when the images are in some, even for a model that draws without
classes; without class folders it learns which way up an image is (turned by 0, 90, 180 or 270 degrees), which
still makes it describe shapes, colours and textures in photos, which have an up.
Blur in its training keeps it from rejecting samples for being a little softer than the real images.
It computes in float32 whatever the precision policy: a measuring instrument that does not change with it.

    judge = train_judge(data, config, "runs/x/judge.keras", seed=42)
    accuracy = judge_accuracy(judge, data, seed=42)  # on the held-out real images
    real = features(judge, real_images(data.val_paths, data, 1000, seed=0))
"""

import weakref
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from .data import image_batches, real_images
from .runtime import progress
from .runtime.files import atomic_path

WIDTHS = (32, 64, 128)  # channels of the conv blocks, each halving the resolution
LEARNING_RATE = 1e-3  # decayed to 0 over the judge's epochs; 2e-3 and more stall for the first epochs
TURNS = 4  # without classes: which of the four quarter turns an image was given
FLOAT32 = {"dtype": "float32"}
_judged_models = weakref.WeakKeyDictionary()  # judge -> the same network with its features as a second output


def build_judge(image_size, channels, num_outputs):
    """Conv blocks with GroupNormalization (no batch statistics: a batch of samples is judged like one
    image at a time), global max pooling (the features: how strongly each pattern shows anywhere in the
    image; it learns shapes several times faster than average pooling) and a softmax over `num_outputs`."""
    images = keras.Input((image_size, image_size, channels), name="images")
    x = images
    for filters in WIDTHS:
        x = keras.layers.Conv2D(filters, 3, padding="same", use_bias=False, **FLOAT32)(x)
        x = keras.layers.GroupNormalization(groups=8, **FLOAT32)(x)
        x = keras.layers.Activation("relu", **FLOAT32)(x)
        x = keras.layers.MaxPooling2D(**FLOAT32)(x)
    x = keras.layers.Conv2D(WIDTHS[-1], 3, padding="same", use_bias=False, **FLOAT32)(x)
    x = keras.layers.GroupNormalization(groups=8, **FLOAT32)(x)
    x = keras.layers.Activation("relu", **FLOAT32)(x)
    pooled = keras.layers.GlobalMaxPooling2D(name="features", **FLOAT32)(x)
    outputs = keras.layers.Dense(num_outputs, activation="softmax", name="probabilities", **FLOAT32)(pooled)
    return keras.Model(images, outputs, name="judge")


def augmenter(seed):
    """Small shifts, and blur on half the images, of batches in [-1, 1]; flips come from `image_batches`."""
    return keras.Sequential(
        [
            keras.layers.RandomTranslation(0.1, 0.1, fill_mode="nearest", seed=seed, **FLOAT32),
            keras.layers.RandomGaussianBlur(
                factor=(0.5, 0.5), kernel_size=5, sigma=(0.3, 1.2), value_range=(-1, 1), seed=seed + 1, **FLOAT32
            ),
        ],
        name="judge_augmentation",
    )


def turned(images, turns):
    """Each image of a batch turned by its own number of quarter turns (`turns`, int32 `(B,)`)."""
    every_turn = tf.stack([tf.image.rot90(images, k) for k in range(TURNS)], axis=1)
    return tf.gather(every_turn, turns, batch_dims=1)


def training_batches(data, config, seed):
    """`(images, targets)` batches: the classes, or without classes each image at a random quarter turn."""
    batches = image_batches(
        data.train_paths, data.train_labels, data, config.data.batch_size, True, seed, config.data.flip
    )
    augment = augmenter(seed)
    draws = tf.data.Dataset.random(seed=seed, rerandomize_each_iteration=True)

    def targeted(batch, draw):
        images, labels = batch[0]["images"], batch[0]["labels"]
        if not data.class_names:
            labels = tf.random.stateless_uniform(tf.shape(labels), tf.stack([draw, 0]), 0, TURNS, tf.int32)
            images = turned(images, labels)
        return augment(images, training=True), labels

    return tf.data.Dataset.zip(batches, draws).map(targeted).prefetch(tf.data.AUTOTUNE)


def validation_set(data, seed):
    """The validation images and targets: the classes, or without classes every image at each quarter turn."""
    images = real_images(data.val_paths, data, len(data.val_paths), seed)  # all of them, in order
    if data.class_names:
        return images, np.asarray(data.val_labels, np.int32)
    turns = np.repeat(np.arange(TURNS, dtype=np.int32), len(images))
    return np.concatenate([np.rot90(images, k, axes=(1, 2)) for k in range(TURNS)]), turns


def train_judge(data, config, path, seed):
    """The judge saved at `path`, or a new one trained `config.quality.judge_epochs` epochs and saved there.

    A resumed run loads its judge, so its scores stay comparable.
    """
    path = Path(path)
    if path.is_file():
        return keras.saving.load_model(path, compile=False)
    keras.utils.set_random_seed(seed)
    judge = build_judge(data.image_size, data.channels, len(data.class_names) or TURNS)
    batches = training_batches(data, config, seed)
    steps = config.quality.judge_epochs * (len(data.train_paths) // config.data.batch_size)
    judge.compile(
        optimizer=keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(LEARNING_RATE, steps)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    judge.fit(
        batches,
        epochs=config.quality.judge_epochs,
        shuffle=False,  # `image_batches` shuffles
        validation_data=validation_set(data, seed),
        verbose=progress.verbosity(),
        callbacks=[progress.EpochLines()],
    )
    with atomic_path(path) as temporary:
        judge.save(temporary)
    return judge


def judge_accuracy(judge, data, seed):
    """The judge's accuracy on the held-out real images (their classes, or their quarter turns): how far its
    verdicts on samples can be trusted."""
    images, targets = validation_set(data, seed)
    return float(np.mean(np.argmax(probabilities(judge, images), axis=-1) == targets))


def untrustworthy(accuracy, data):
    """A warning when the judge's validation `accuracy` is near chance (under 1.5 times it), else None: its features
    then describe the images poorly, and the scores measured with them mean little."""
    outputs = len(data.class_names) or TURNS
    if accuracy >= 1.5 / outputs:
        return None
    if data.class_names:
        cause = f"it can hardly tell the {outputs} classes apart; more images per class, or more quality.judge_epochs"
    else:
        cause = (
            "without class folders it learns which way up an image is, and these images look alike at any quarter "
            "turn; put them in class folders (even rough ones) to give it something to learn"
        )
    return (
        f"warning: the judge's validation accuracy is {accuracy:.2f}, near chance (1/{outputs}): {cause}. "
        "KID and diversity measured with it mean little"
    )


def judged(judge, images, batch_size=256):
    """The judge's features `(N, F)` (its global pooling before the classes) and probabilities `(N, classes)` (each
    quarter turn's when unconditional) of `images`, float32, in one pass. Batch by batch on the compiled predict
    function: `predict` would build an input pipeline each call, which took longer than judging 200 samples."""
    if judge not in _judged_models:
        _judged_models[judge] = keras.Model(judge.inputs, [judge.get_layer("features").output, *judge.outputs])
    model = _judged_models[judge]
    starts = range(0, len(images), batch_size)
    batches = [model.predict_on_batch(images[start : start + batch_size]) for start in starts]
    return tuple(np.concatenate([batch[k] for batch in batches]).astype(np.float32) for k in (0, 1))


def features(judge, images):
    """The judge's features of `images`: `(N, F)` float32."""
    return judged(judge, images)[0]


def probabilities(judge, images):
    """The judge's probability of each class of `images`: `(N, classes)` float32."""
    return judged(judge, images)[1]
