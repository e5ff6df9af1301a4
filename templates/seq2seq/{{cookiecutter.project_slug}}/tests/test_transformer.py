import subprocess
import sys

import keras
import keras_hub
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.tokenizers import END, PAD, START
from {{ cookiecutter.package_name }}.transformer import TransformerSeq2Seq

SOURCE = np.array([[5, 6, 7, 8, 9, 10], [11, 12, 13, 0, 0, 0], [14, 0, 0, 0, 0, 0]], "int32")
TARGET_IN = np.array([[START, 4, 5, 6, 7, 8, 9], [START, 10, 11, END, 0, 0, 0], [START, 12, END, 0, 0, 0, 0]], "int32")
SYMBOLS = range(4, 14)  # the toy task's tokens, after the reserved ids


def tiny_model(**options):
    """A small random model built by one call, as `build_model` does."""
    keras.utils.set_random_seed(0)
    model = TransformerSeq2Seq(
        **{
            "source_vocabulary": 30,
            "target_vocabulary": 20,
            "num_layers": 2,
            "hidden_dim": 32,
            "num_heads": 4,
            "intermediate_dim": 64,
            "dropout": 0.0,
            **options,
        }
    )
    model({"source": np.ones((1, 2), "int32"), "target_in": np.ones((1, 2), "int32")})
    return model


def logits_of(model, source, target_in):
    return keras.ops.convert_to_numpy(model({"source": source, "target_in": target_in}))


def reversal_data(count, seed):
    """Sequences of 4 to 6 symbols, PAD after; the target is the sequence reversed, then END."""
    rng = np.random.default_rng(seed)
    source, target = np.zeros((count, 6), "int32"), np.zeros((count, 8), "int32")
    for row, length in enumerate(rng.integers(4, 7, count)):
        symbols = rng.choice(SYMBOLS, length)
        source[row, :length] = symbols
        target[row, : length + 2] = [START, *symbols[::-1], END]
    return {"source": source, "target_in": target[:, :-1]}, target[:, 1:]


def masked_cross_entropy(target_out, logits):
    """Mean cross-entropy over the real target tokens: PAD positions count for nothing."""
    real = keras.ops.cast(target_out != PAD, "float32")
    losses = keras.losses.sparse_categorical_crossentropy(target_out, logits, from_logits=True)
    return keras.ops.sum(losses * real) / keras.ops.sum(real)


@pytest.fixture(scope="module")
def model():
    return tiny_model()


@pytest.fixture(scope="module")
def reverser():
    """A tiny Transformer trained to reverse sequences, and the fit history."""
    model = tiny_model(num_layers=1, target_vocabulary=14)
    inputs, target_out = reversal_data(1024, seed=1)
    model.compile(optimizer=keras.optimizers.Adam(3e-3), loss=masked_cross_entropy)
    history = model.fit(inputs, target_out, batch_size=64, epochs=6, verbose=0)
    return model, history


def test_cached_steps_give_the_teacher_forced_logits_at_every_position(model):
    full = logits_of(model, SOURCE, TARGET_IN)
    cache = model.encode(SOURCE, max_length=TARGET_IN.shape[1])
    for index in range(TARGET_IN.shape[1]):
        step, cache = model.decode_step(TARGET_IN[:, index : index + 1], cache, index)
        np.testing.assert_allclose(keras.ops.convert_to_numpy(step), full[:, index], atol=1e-4)
    # Every cache tensor is batch-first, as keras-hub's beam search repeats and gathers them along axis 0.
    assert all(tensor.shape[0] == len(SOURCE) for tensor in cache.values())
    # The steps saw the prefix: a different earlier token changes later logits.
    changed = TARGET_IN.copy()
    changed[:, 1] = 15
    assert np.abs(logits_of(model, SOURCE, changed)[:, 3] - full[:, 3]).max() > 1e-3


def test_source_padding_is_invisible(model):
    longer = np.concatenate([SOURCE, np.zeros((3, 4), "int32")], axis=1)
    np.testing.assert_allclose(logits_of(model, longer, TARGET_IN), logits_of(model, SOURCE, TARGET_IN), atol=1e-5)


def greedy_by_full_passes(model, source, max_length):
    """The argmax of the teacher-forced logits, one token at a time, PAD and START never chosen, PAD after END."""
    tokens, done = np.full((len(source), 1), START, "int32"), np.zeros(len(source), bool)
    for _ in range(max_length):
        logits = logits_of(model, source, tokens)[:, -1]
        logits[:, [PAD, START]] = -np.inf
        token = np.where(done, PAD, logits.argmax(axis=-1))
        done |= token == END
        tokens = np.concatenate([tokens, token[:, None].astype("int32")], axis=1)
    return tokens[:, 1:]


def test_greedy_generate_follows_the_argmax_of_full_passes(reverser):
    model, _ = reverser
    source = reversal_data(6, seed=7)[0]["source"]
    expected = greedy_by_full_passes(model, source, max_length=9)
    generated = keras.ops.convert_to_numpy(model.generate(source, keras_hub.samplers.GreedySampler(), max_length=9))
    np.testing.assert_array_equal(generated, expected)
    assert len({row.tolist().index(END) for row in expected if END in row}) > 1  # rows end at different steps


def test_beam_search_reorders_the_cache_with_its_beams(reverser):
    model, _ = reverser
    inputs, target_out = reversal_data(6, seed=7)
    generated = model.generate(inputs["source"], keras_hub.samplers.BeamSampler(num_beams=3), max_length=7)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(generated), target_out)


def test_attention_weights_are_the_last_cross_attention_softmax(model, monkeypatch):
    cross_attention, seen = model.decoder_layers[-1]._cross_attention_layer, {}
    call = cross_attention.call

    def spy(query, value, **options):  # what the layer really attends with in an ordinary forward pass
        seen.update(query=query, value=value, mask=options["attention_mask"])
        return call(query, value, **options)

    monkeypatch.setattr(cross_attention, "call", spy)
    logits_of(model, SOURCE, TARGET_IN)
    monkeypatch.undo()
    _, scores = cross_attention(seen["query"], seen["value"], attention_mask=seen["mask"], return_attention_scores=True)
    weights = keras.ops.convert_to_numpy(model.attention_weights(SOURCE, TARGET_IN))
    assert weights.shape == (3, 7, 6)
    np.testing.assert_allclose(weights, keras.ops.convert_to_numpy(keras.ops.mean(scores, axis=1)), atol=1e-6)
    np.testing.assert_allclose(weights.sum(axis=-1), 1.0, rtol=1e-5)
    assert np.all(weights[SOURCE[:, None, :].repeat(7, axis=1) == PAD] == 0)


def test_saved_model_gives_the_same_logits(model, tmp_path):
    model.save(tmp_path / "model.keras")
    restored = keras.saving.load_model(tmp_path / "model.keras")
    assert isinstance(restored, TransformerSeq2Seq) and restored.get_config() == model.get_config()
    np.testing.assert_allclose(logits_of(restored, SOURCE, TARGET_IN), logits_of(model, SOURCE, TARGET_IN), atol=1e-6)


def test_a_saved_transformer_loads_in_a_process_that_never_built_one(model, tmp_path):
    """As `evaluate`, `predict` and `export` load a run's model."""
    model.save(tmp_path / "model.keras")
    code = "import sys; from {{ cookiecutter.package_name }}.model import load_model; print(type(load_model(sys.argv[1])).__name__)"
    loaded = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "model.keras")], capture_output=True, text=True, check=True
    )
    assert loaded.stdout.split()[-1] == "TransformerSeq2Seq"


def test_a_tiny_transformer_learns_to_reverse(reverser):
    model, history = reverser
    inputs, target_out = reversal_data(256, seed=2)
    predicted = logits_of(model, inputs["source"], inputs["target_in"]).argmax(axis=-1)
    real = target_out != PAD
    assert (predicted == target_out)[real].mean() > 0.9
    assert history.history["loss"][-1] < history.history["loss"][0] / 2
