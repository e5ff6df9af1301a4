"""Transfer phases that resume where a killed run stopped, and confusion matrices that skip ignored labels."""

from types import SimpleNamespace

import numpy as np
from shared.callbacks.confusion import confusion_matrix
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
