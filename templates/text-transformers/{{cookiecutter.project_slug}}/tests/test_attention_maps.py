import keras
import keras_hub
import numpy as np

from {{ cookiecutter.package_name }}.attention_maps import attention_maps, draw_attention

TOKEN_IDS = np.array([2, 7, 9, 11, 3, 0, 0])  # five tokens, then padding
PADDING_MASK = TOKEN_IDS > 0


def small(backbone_class):
    keras.utils.set_random_seed(0)
    return backbone_class(
        vocabulary_size=50, num_layers=2, num_heads=2, hidden_dim=8, intermediate_dim=16, max_sequence_length=16
    )


def test_bert_maps_equal_the_encoder_layers_own_attention_scores():
    backbone = small(keras_hub.models.BertBackbone)
    maps = attention_maps(backbone, TOKEN_IDS, PADDING_MASK)
    assert maps.shape == (2, 2, 5, 5)  # layers, heads, and the five real tokens only
    inputs = {
        "token_ids": TOKEN_IDS[None],
        "padding_mask": PADDING_MASK[None].astype("int32"),
        "segment_ids": np.zeros_like(TOKEN_IDS)[None],
    }
    for index in range(2):
        layer = backbone.get_layer(f"transformer_layer_{index}")
        hidden = keras.Model(backbone.input, layer.input[0])(inputs)
        _, scores = layer(hidden, padding_mask=PADDING_MASK[None], return_attention_scores=True)
        np.testing.assert_allclose(np.asarray(scores)[0, :, :5, :5], maps[index], atol=1e-6)


def test_gpt_maps_are_causal_rows_of_probabilities():
    maps = attention_maps(small(keras_hub.models.GPT2Backbone), TOKEN_IDS, PADDING_MASK)
    assert maps.shape == (2, 2, 5, 5)
    np.testing.assert_allclose(maps.sum(-1), 1.0, atol=1e-6)
    assert np.triu(maps, k=1).max() == 0.0  # no token looks ahead
    np.testing.assert_allclose(maps[:, :, 0, 0], 1.0)  # the first token can only look at itself


def test_drawing_writes_a_png_with_one_panel_per_layer_and_head(tmp_path):
    maps = attention_maps(small(keras_hub.models.BertBackbone), TOKEN_IDS, PADDING_MASK)
    image = draw_attention(maps, ["[CLS]", "not", "bad", "at", "[SEP]"], tmp_path / "attention.png", "a title")
    assert image.dtype == np.uint8 and image.ndim == 3 and image.shape[2] == 3
    assert (tmp_path / "attention.png").stat().st_size > 1000
