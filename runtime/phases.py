"""Transfer learning's phases in one resumable run.

With pretrained weights, phase `head` trains a new head on the frozen backbone and phase `finetune`
unfreezes the backbone's top layers at a lower learning rate; without them one phase, `scratch`,
trains every layer. Epochs count across phases, so a checkpoint's `(phase, phase_start, epochs_done,
stopped_early)` says where a killed run goes on.
"""

import dataclasses


@dataclasses.dataclass
class Phase:
    name: str  # scratch | head | finetune
    epochs: int
    learning_rate: float


def plan_phases(train, pretrained):
    """The phases of a run from the `train:` config section (`epochs`, `finetune_epochs`, learning rates)."""
    if not pretrained:
        return [Phase("scratch", train.epochs, train.learning_rate)]
    plan = [Phase("head", train.epochs, train.learning_rate)]
    if train.finetune_epochs > 0:
        plan.append(Phase("finetune", train.finetune_epochs, train.finetune_learning_rate))
    return plan


def remaining_phases(plan, state):
    """`(phase, first epoch or None)` still to run after checkpoint `state`; None: where the last one stopped."""
    if not state:
        return [(phase, None) for phase in plan]
    current = [phase.name for phase in plan].index(state["phase"])
    later = [(phase, None) for phase in plan[current + 1 :]]
    finished = state["stopped_early"] or state["epochs_done"] >= state["phase_start"] + plan[current].epochs
    return later if finished else [(plan[current], state["phase_start"])] + later
