"""The Q-networks: the paper's CNN to the parameter, pixels scaled inside, the dueling maths, float32 Q-values
under mixed precision, and a save and reload in safe mode that changes nothing."""

import keras
import numpy as np
import pytest

from {{ cookiecutter.package_name }}.q_network import DuelingHead, build_q_network

SMALL_FRAMES = (36, 36, 2)  # the smallest input the Nature CNN takes: 36 -> 8 -> 3 -> 1 pixels


def frames(shape, count=3, seed=0):
    return np.random.default_rng(seed).integers(0, 256, (count, *shape), dtype=np.uint8)


def test_the_cnn_is_the_nature_dqn_network():
    model = build_q_network((84, 84, 4), action_count=4)
    # Mnih et al. 2015, 4 stacked 84x84 frames, 4 actions (weights + biases):
    # conv 8x8x4 -> 32, stride 4:   8*8*4*32 + 32  =     8,224  (84 -> 20 pixels)
    # conv 4x4x32 -> 64, stride 2:  4*4*32*64 + 64 =    32,832  (20 -> 9)
    # conv 3x3x64 -> 64, stride 1:  3*3*64*64 + 64 =    36,928  (9 -> 7)
    # dense 7*7*64 = 3136 -> 512:   3136*512 + 512 = 1,606,144
    # dense 512 -> 4:               512*4 + 4      =     2,052
    assert model.count_params() == 8_224 + 32_832 + 36_928 + 1_606_144 + 2_052 == 1_686_180
    assert model.inputs[0].dtype == "uint8"


def test_auto_picks_the_cnn_for_frames_and_the_mlp_for_vectors():
    cnn = build_q_network(SMALL_FRAMES, 3)
    mlp = build_q_network((4,), 2, hidden_units=(64, 64))
    assert any(isinstance(layer, keras.layers.Conv2D) for layer in cnn.layers)
    assert [layer.name for layer in mlp.layers] == ["observations", "hidden_1", "hidden_2", "q_values"]
    assert mlp.count_params() == (4 * 64 + 64) + (64 * 64 + 64) + (64 * 2 + 2)
    with pytest.raises(ValueError, match="3 dimensions"):
        build_q_network((4,), 2, kind="cnn")


def test_pixels_are_scaled_to_one_and_channels_first_frames_moved_last():
    model = build_q_network((2, 36, 36), 3, channels_first=True)
    stacked = frames((2, 36, 36))  # FrameStackObservation's layout: the stack first
    scaled = keras.Model(model.input, model.get_layer("scale_pixels").output)(stacked)
    np.testing.assert_allclose(scaled, stacked.transpose(0, 2, 3, 1) / 255.0, rtol=1e-6)
    channels_last = build_q_network(SMALL_FRAMES, 3)
    channels_last.set_weights(model.get_weights())
    np.testing.assert_allclose(model(stacked), channels_last(stacked.transpose(0, 2, 3, 1)), rtol=1e-5, atol=1e-6)


def test_dueling_head_is_value_plus_advantage_minus_their_mean():
    head = DuelingHead(3)
    features = np.array([[1.0, 2.0], [0.0, -1.0]], "float32")
    head(features)
    head.value.set_weights([np.array([[1.0], [1.0]]), np.array([0.5])])  # V = f0 + f1 + 0.5
    head.advantage.set_weights([np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 0.0]]), np.zeros(3)])  # A = (f0, f1, 2 f0)
    # Row 1: V = 3.5, A = (1, 2, 2), mean 5/3. Row 2: V = -0.5, A = (0, -1, 0), mean -1/3.
    expected = [[3.5 + 1 - 5 / 3, 3.5 + 2 - 5 / 3, 3.5 + 2 - 5 / 3], [-0.5 + 1 / 3, -0.5 - 1 + 1 / 3, -0.5 + 1 / 3]]
    np.testing.assert_allclose(head(features), expected, rtol=1e-6)
    assert DuelingHead.from_config(head.get_config()).action_count == 3


@pytest.fixture
def mixed_precision():
    keras.mixed_precision.set_global_policy("mixed_float16")
    yield
    keras.mixed_precision.set_global_policy("float32")


@pytest.mark.parametrize("shape", [(4,), SMALL_FRAMES])
@pytest.mark.parametrize("dueling", [False, True])
def test_q_values_are_float32_under_mixed_precision(mixed_precision, shape, dueling):
    model = build_q_network(shape, 3, hidden_units=(8,), dueling=dueling)
    observations = frames(shape) if len(shape) == 3 else np.ones((3, *shape), "float32")
    assert model.get_layer("hidden" if len(shape) == 3 else "hidden_1").compute_dtype == "float16"
    assert model(observations).dtype == "float32"


@pytest.mark.parametrize("shape", [(4,), (2, 36, 36)])
@pytest.mark.parametrize("dueling", [False, True])
def test_a_saved_network_reloads_in_safe_mode_unchanged(tmp_path, shape, dueling):
    keras.utils.set_random_seed(1)
    model = build_q_network(shape, 3, hidden_units=(8, 8), dueling=dueling, channels_first=len(shape) == 3)
    observations = frames(shape) if len(shape) == 3 else np.random.default_rng(0).normal(size=(3, 4))
    model.save(tmp_path / "q.keras")
    reloaded = keras.saving.load_model(tmp_path / "q.keras", safe_mode=True)
    np.testing.assert_array_equal(reloaded(observations), model(observations))
    assert isinstance(reloaded.get_layer("q_values"), DuelingHead if dueling else keras.layers.Dense)
