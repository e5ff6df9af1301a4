"""Transfer phases that resume where a killed run stopped; confusion matrices and the scores read from them."""

from types import SimpleNamespace

import numpy as np
import pytest
from shared.callbacks.confusion import confusion_matrix, overlap_scores
from shared.runtime.optimizers import make_optimizer
from shared.runtime.phases import Phase, plan_phases, remaining_phases

TRAIN = SimpleNamespace(epochs=5, finetune_epochs=3, learning_rate=1e-3, finetune_learning_rate=1e-4)


def test_a_pretrained_run_plans_head_then_finetune_and_a_scratch_run_one_phase():
    assert plan_phases(TRAIN, pretrained=True) == [Phase("head", 5, 1e-3), Phase("finetune", 3, 1e-4)]
    assert plan_phases(TRAIN, pretrained=False) == [Phase("scratch", 5, 1e-3)]


def test_resume_picks_the_phase_and_epoch_from_the_checkpoint():
    plan = [Phase("head", 5, 1e-3), Phase("finetune", 3, 1e-4)]
    assert remaining_phases(plan, None) == [(plan[0], None), (plan[1], None)]
    head_killed = {"epochs_done": 2, "phase": "head", "phase_start": 0, "stopped_early": False}
    assert remaining_phases(plan, head_killed) == [(plan[0], 0), (plan[1], None)]
    assert remaining_phases(plan, {**head_killed, "stopped_early": True}) == [(plan[1], None)]
    assert remaining_phases(plan, {**head_killed, "epochs_done": 5}) == [(plan[1], None)]
    finetune_killed = {"epochs_done": 3, "phase": "finetune", "phase_start": 2, "stopped_early": False}
    assert remaining_phases(plan, finetune_killed) == [(plan[1], 2)]
    assert remaining_phases(plan, {**finetune_killed, "epochs_done": 5}) == []


def test_confusion_matrix_counts_true_rows_against_predicted_columns_and_skips_ignored():
    labels = [[0, 1, 2], [2, -1, 255]]
    predicted = [[0, 2, 2], [1, 0, 0]]
    np.testing.assert_array_equal(confusion_matrix(labels, predicted, 3), [[1, 0, 0], [0, 0, 1], [0, 1, 1]])


def test_overlap_scores_by_hand():
    # true rows, predicted columns, pixels:      background  road  car  boat
    matrix = [
        [50, 2, 0, 0],  # background      TP 50, FP 1 + 3, FN 2:  IoU 50/56, Dice 100/106
        [1, 8, 1, 0],  # road            TP 8,  FP 2,     FN 2:  IoU 8/12,  Dice 16/20
        [3, 0, 5, 0],  # car             TP 5,  FP 1,     FN 3:  IoU 5/9,   Dice 10/14
        [0, 0, 0, 0],
    ]  # boat: in neither labels nor predictions, so out of the means
    scores = overlap_scores(matrix, ["background", "road", "car", "boat"])
    assert scores["iou_background"] == pytest.approx(50 / 56)
    assert scores["iou_road"] == pytest.approx(8 / 12)
    assert scores["dice_car"] == pytest.approx(10 / 14)
    assert scores["iou_boat"] == 0.0
    assert scores["mean_iou"] == pytest.approx((50 / 56 + 8 / 12 + 5 / 9) / 3)
    assert scores["mean_dice"] == pytest.approx((100 / 106 + 16 / 20 + 10 / 14) / 3)
    assert scores["pixel_accuracy"] == pytest.approx(63 / 70)


def test_the_optimizer_clips_the_gradients_global_norm_only_when_asked():
    for name in ("adam", "adamw", "sgd"):
        assert make_optimizer(name, 0.1, clip_norm=5.0).global_clipnorm == 5.0
        assert make_optimizer(name, 0.1).global_clipnorm is None
