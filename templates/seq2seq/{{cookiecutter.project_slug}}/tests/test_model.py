"""The models decode step by step exactly as they compute in one teacher-forced pass."""

import keras
import keras_hub
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.recurrent import RecurrentSeq2Seq
from {{ cookiecutter.package_name }}.tokenizers import END, PAD, START

SOURCE = np.array([[5, 6, 7, 8, 9, 0, 0], [4, 11, 4, 0, 0, 0, 0]], "int32")  # the second row padded further


def random_model(**options):
    keras.utils.set_random_seed(3)
    model = RecurrentSeq2Seq(
        source_vocabulary=20, target_vocabulary=12, units=16, embedding_dim=8, dropout=0.0, **options
    )
    model({"source": SOURCE, "target_in": SOURCE[:, :3]})
    return model


VARIANTS = [
    dict(cell="gru", attention="additive"),
    dict(cell="lstm", attention="dot", num_layers=2),
    dict(cell="simple_rnn", attention="none", bidirectional=False),
    dict(cell="lstm", attention="none"),
]


@pytest.mark.parametrize("options", VARIANTS)
def test_carried_state_gives_the_teacher_forced_logits(options):
    model = random_model(**options)
    target_in = np.array([[START, 5, 6, 7, 4], [START, 9, 10, 0, 0]], "int32")
    full = np.asarray(model({"source": SOURCE, "target_in": target_in}))
    cache = model.encode(SOURCE)
    for position in range(target_in.shape[1]):
        logits, cache = model.decode_step(target_in[:, position : position + 1], cache, position)
        real = target_in[:, position] != PAD
        np.testing.assert_allclose(np.asarray(logits)[real], full[real, position], atol=1e-5)


def teacher_forced_greedy(model, source, length):
    """The greedy translation found the slow way: the whole prefix re-run for every new token."""
    tokens = [START]
    for _ in range(length):
        logits = np.array(model({"source": source[None], "target_in": np.array([tokens], "int32")}))[0, -1]
        logits[[PAD, START]] = -np.inf
        tokens.append(int(logits.argmax()))
        if tokens[-1] == END:
            break
    return tokens[1:]


@pytest.mark.parametrize("options", VARIANTS[:3])
def test_greedy_generate_equals_rerunning_the_prefix(options):
    model = random_model(**options)
    generated = np.asarray(model.generate(SOURCE, keras_hub.samplers.GreedySampler(), max_length=6))
    for row, source in zip(generated, SOURCE, strict=True):
        expected = teacher_forced_greedy(model, source, 6)
        assert list(row[: len(expected)]) == expected
        assert (row[len(expected) :] == PAD).all()


def sequence_log_probability(model, source, tokens):
    """log p(tokens | source), END included when present, by one teacher-forced pass."""
    target_in = np.array([[START, *tokens[:-1]]], "int32")
    logits = np.array(model({"source": source[None], "target_in": target_in}))[0].astype("float64")
    logits[:, [PAD, START]] = -np.inf
    log_probs = (
        logits
        - np.log(np.exp(logits - logits.max(-1, keepdims=True)).sum(-1, keepdims=True))
        - logits.max(-1, keepdims=True)
    )
    return float(sum(log_probs[i, token] for i, token in enumerate(tokens)))


def until_end(row):
    row = list(row)
    return row[: row.index(END) + 1] if END in row else row


def test_beam_search_finds_translations_at_least_as_likely_as_greedy():
    model = random_model(cell="gru", attention="additive")
    greedy = np.asarray(model.generate(SOURCE, keras_hub.samplers.GreedySampler(), max_length=6))
    width_one = np.asarray(model.generate(SOURCE, keras_hub.samplers.BeamSampler(num_beams=1), max_length=6))
    beam = np.asarray(model.generate(SOURCE, keras_hub.samplers.BeamSampler(num_beams=4), max_length=6))
    np.testing.assert_array_equal(width_one, greedy)
    for source, greedy_row, beam_row in zip(SOURCE, greedy, beam, strict=True):
        assert (
            sequence_log_probability(model, source, until_end(beam_row))
            >= sequence_log_probability(model, source, until_end(greedy_row)) - 1e-4
        )


@pytest.mark.parametrize("attention", ["additive", "dot"])
def test_attention_weights_are_a_softmax_over_the_real_source_tokens(attention):
    model = random_model(attention=attention)
    weights = np.asarray(model.attention_weights(SOURCE, np.array([[START, 4, 5], [START, 6, 0]], "int32")))
    assert weights.shape == (2, 3, 7)
    np.testing.assert_allclose(weights.sum(-1), 1.0, atol=1e-5)
    assert np.abs(weights[0, :, 5:]).max() < 1e-6 and np.abs(weights[1, :, 3:]).max() < 1e-6


def test_saved_model_round_trip_keeps_every_weight(tmp_path):
    model = random_model(cell="lstm", attention="dot", num_layers=2)
    model.save(tmp_path / "model.keras")
    loaded = keras.saving.load_model(tmp_path / "model.keras")
    inputs = {"source": SOURCE, "target_in": SOURCE[:, :4]}
    np.testing.assert_array_equal(np.asarray(loaded(inputs)), np.asarray(model(inputs)))
