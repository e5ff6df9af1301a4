"""Exports: the SavedModel serves any batch of picture files with boxes in their own pixels, as `predict` finds
them; ONNX and LiteRT give the Keras networks' outputs, and Faster R-CNN's stages chained by numpy its detections."""

import copy
import json

import numpy as np
import pytest
import tensorflow as tf
from PIL import Image

from {{ cookiecutter.package_name }} import data, masks
from {{ cookiecutter.package_name }}.export import export
from {{ cookiecutter.package_name }}.inference import Detector, letterbox, paste_mask
from {{ cookiecutter.package_name }}.model import build_model, load_trained
from {{ cookiecutter.package_name }}.portable import TwoStageDetector, load_network
from {{ cookiecutter.package_name }}.predict import pictures_of
from {{ cookiecutter.package_name }}.runtime.exports import run_portable
from {{ cookiecutter.package_name }}.runtime.rundir import open_run
from {{ cookiecutter.package_name }}.scoring import detect_pictures


@pytest.fixture(params=["retinanet", "faster_rcnn", "faster_rcnn with masks"])
def exported_run(tiny_config, tmp_path, request):
    """A run folder with an untrained model of each architecture whose class head is biased to find objects, and its
    config resolved."""
    tiny_config.model.architecture = request.param.split()[0]
    tiny_config.model.masks = request.param.endswith("masks")
    data.read_splits(tiny_config)
    model = build_model(tiny_config, tiny_config.data.classes, tiny_config.data.image_size)
    if request.param == "retinanet":
        output = model.get_layer("class_output")
        output.bias.assign(np.full(output.bias.shape, 0.5, np.float32))  # scores near 0.6: detections to compare
    else:
        output = model.roi_head.get_layer("roi_classes")
        output.bias.assign(np.eye(output.bias.shape[0], dtype=np.float32)[1] * 3.0)  # the first class near 0.8
        if tiny_config.model.masks:  # masks near 0.9 over each whole box, not at the threshold's edge
            output = model.mask_head.get_layer("masks").layer
            output.bias.assign(np.full(output.bias.shape, 2.0, np.float32))
    run_dir = tmp_path / "run"
    run_dir.mkdir()
    (run_dir / "config.yaml").write_text("{}\n")
    model.save(run_dir / "model.keras")
    return open_run(run_dir), model


def test_saved_model_serves_any_batch_of_files_of_any_size_as_predict_finds_them(tiny_config, exported_run, tmp_path):
    run, model = exported_run
    tiny_config.detect.draw_threshold = 0.3
    export(tiny_config, run, ["tf_saved_model"])
    rng = np.random.default_rng(0)
    paths = []
    for index, (height, width) in enumerate([(48, 80), (64, 64), (90, 30)]):
        paths.append(tmp_path / f"{index}.png")
        Image.fromarray(rng.integers(0, 256, (height, width, 3), dtype=np.uint8)).save(paths[-1])
    loaded = tf.saved_model.load(str(run.file("export") / "saved_model"))  # kept: its variables live as long
    files = [path.read_bytes() for path in paths]
    one = loaded.serve(tf.constant(files[:1]))
    three = loaded.serve(tf.constant(files))
    assert int(one["count"][0]) == int(three["count"][0]) > 0
    tiny_config.detect.score_threshold = 0.3
    images, size = pictures_of(paths), tiny_config.data.image_size
    detector = Detector(model, data.model_anchors(tiny_config), tiny_config.detect)
    found, best, pasted = detect_pictures(detector, images, data.pictures(images, size, 2), size)  # batches 2, 1
    for index, (boxes, labels, scores) in enumerate(found):
        count = int(three["count"][index])
        assert count == len(scores)
        np.testing.assert_allclose(three["boxes"][index][:count], boxes, atol=1e-3)
        assert three["class_names"][index][:count].numpy().tolist() == [
            tiny_config.data.classes[label].encode() for label in labels
        ]
        assert float(three["best_score"][index]) == pytest.approx(best[index], abs=1e-5)
        assert (boxes[:, 2] <= Image.open(paths[index]).width + 1e-3).all()  # in the picture's own pixels
        if tiny_config.model.masks:  # each box's mask on its grid, as predict pastes it
            grids = three["masks"][index][:count].numpy()
            assert grids.shape == (count, tiny_config.roi.mask_size, tiny_config.roi.mask_size)
            size = Image.open(paths[index]).size
            for grid, box, found_mask in zip(grids, boxes, pasted[index], strict=True):
                differ = paste_mask(grid, box, *size) != masks.decode(found_mask)
                assert differ.mean() < 0.005


def test_onnx_and_litert_exports_match_the_keras_network(tiny_config, exported_run):
    run, model = exported_run
    if tiny_config.model.architecture == "faster_rcnn":
        pytest.skip("Faster R-CNN exports its stages: test_onnx_and_litert_stages_match_the_keras_stages")
    export(tiny_config, run, ["onnx", "litert"])
    size = tiny_config.data.image_size
    pixels = np.random.default_rng(1).uniform(0, 255, (2, size, size, 3)).astype(np.float32)
    served = run_portable(run.file("export"), pixels)
    outputs = model(pixels, training=False)
    expected = np.concatenate([outputs["boxes"], outputs["classes"]], axis=-1)
    assert np.load(run.file("export") / "anchors.npy").shape == (expected.shape[1], 4)
    for runtime in ("onnx", "litert"):
        np.testing.assert_allclose(served[runtime], expected, atol=1e-4)


def test_onnx_and_litert_stages_match_the_keras_stages(tiny_config, exported_run):
    run, model = exported_run
    if not tiny_config.model.masks:
        pytest.skip("the case with masks checks these stages and the mask head")
    export(tiny_config, run, ["onnx", "litert"])
    folder, size = run.file("export"), tiny_config.data.image_size
    rng = np.random.default_rng(1)
    pixels = rng.uniform(0, 255, (2, size, size, 3)).astype(np.float32)
    corners = rng.uniform(0, size - 8, (2, 5, 2))
    boxes = np.concatenate([corners, corners + rng.uniform(2, size / 2, (2, 5, 2))], axis=-1).astype(np.float32)
    stage1 = {name: np.asarray(value) for name, value in model.proposer(pixels, training=False).items()}
    maps = {name: stage1[name] for name in model.levels}
    head = model.roi_head([*maps.values(), boxes], training=False)
    expected = {
        "proposer": ({"image": pixels}, stage1),
        "roi_head": ({**maps, "proposals": boxes}, {"class_logits": head["classes"], "box_offsets": head["boxes"]}),
    }
    if model.mask_head is not None:
        expected["mask_head"] = ({**maps, "boxes": boxes}, {"mask_logits": model.mask_head([*maps.values(), boxes])})
    labels = json.loads((folder / "labels.json").read_text())
    assert sorted(labels["networks"]) == sorted(expected)
    for runtime in ("onnx", "litert"):
        for name, (inputs, outputs) in expected.items():
            assert sorted(labels["networks"][name]["inputs"]) == sorted(inputs)
            found = load_network(folder / name, runtime)(inputs)
            assert sorted(found) == sorted(outputs) == sorted(labels["networks"][name]["outputs"])
            for key, value in outputs.items():
                np.testing.assert_allclose(found[key], value, atol=1e-4, err_msg=f"{runtime} {name} {key}")


def test_the_exported_stages_chained_by_numpy_find_what_the_detector_finds(faster_rcnn_run, sample_dir):
    """A Faster R-CNN with masks, trained for 8 epochs: its ONNX and LiteRT stages with `portable.py`'s proposals
    and NMS between them give the Keras model's detections, boxes and masks, on a square and a wide picture."""
    config, run, _ = faster_rcnn_run
    config = copy.deepcopy(config)
    export(config, run, ["onnx", "litert"])
    picture = np.asarray(Image.open(sample_dir / "images" / "scene_000.png").convert("RGB"))
    letterboxed = [letterbox(image, config.data.image_size) for image in (picture, picture[:40])]
    pixels = np.stack([np.asarray(image) for image, _ in letterboxed])
    extents = np.array([[64, 64], [40, 64]], np.float32)
    config.detect.score_threshold = 0.005  # a model this young scores its objects low
    expected = Detector(load_trained(run), data.model_anchors(config), config.detect)(pixels, extents=extents)
    for runtime in ("onnx", "litert"):
        found = TwoStageDetector(run.file("export"), runtime, score_threshold=0.005)(pixels, extents=extents)
        for index, detections in enumerate(found):
            # Compared: the detections scored clear of the threshold, which another runtime's last digits cannot
            # move to its other side (they are sorted by score, so the first `count` of each).
            scores = expected["scores"][index][: int(expected["count"][index])].numpy()
            count = int((scores >= 0.01).sum())
            assert count > 0 and len(detections["scores"]) >= count, runtime
            assert detections["classes"][:count].tolist() == expected["classes"][index][:count].numpy().tolist()
            np.testing.assert_allclose(detections["boxes"][:count], expected["boxes"][index][:count], atol=1e-3)
            np.testing.assert_allclose(detections["scores"][:count], scores[:count], atol=1e-4)
            np.testing.assert_allclose(detections["masks"][:count], expected["masks"][index][:count], atol=1e-4)
            assert (detections["boxes"][:, 3] <= extents[index, 0] + 1e-4).all()  # inside the picture, not the padding
