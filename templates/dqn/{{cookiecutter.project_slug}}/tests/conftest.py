import pytest

from {{ cookiecutter.package_name }}.runtime.quiet import import_tensorflow

import_tensorflow()


@pytest.fixture(scope="session")
def sample_dir(tmp_path_factory):
    """The sample data: probe states and single observations of CartPole-v1."""
    from {{ cookiecutter.package_name }}.data import write_sample_data

    directory = tmp_path_factory.mktemp("data") / "sample"
    write_sample_data(directory)
    return directory


@pytest.fixture
def tiny(sample_dir, tmp_path):
    """Overrides for a training run of a few seconds: a 16-unit network, 2 epochs of 300 steps."""
    return [
        "network.hidden_units=[16]",
        "agent.learning_starts=100",
        "agent.train_frequency=50",
        "agent.gradient_steps=5",
        "agent.epsilon_decay_steps=300",
        "train.steps_per_epoch=300",
        "train.eval_episodes=2",
        "train.epochs=2",
        "train.stop_when_solved=false",
        "evaluate.episodes=3",
        f"evaluate.probe_states={sample_dir / 'probe_states.npy'}",
        f"run.dir={tmp_path / 'runs'}",
    ]
