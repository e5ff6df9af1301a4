"""What this project gives the shared runner (`runtime/task.py`): its verbs. Training is DQN's own loop of
epochs (`train.py`, `epochs.py`), not Keras `fit`, so this is a plain `Task`."""

from .config import load
from .runtime.task import Task


class DeepQLearning(Task):
    name = "{{ cookiecutter.project_slug }}"
    description = "{{ cookiecutter.description }}"
    help = {
        "sample-data": "write probe states and example observations of CartPole-v1 (random play)",
        "evaluate": "mean greedy return over evaluate.episodes held-out episodes; evaluation.csv and GIFs",
        "predict": "Q-values and the greedy action for saved observations (.npy), or greedy episodes as GIFs for "
        "seeds -> printed and predictions.csv / episodes.csv",
        "predict-inputs": ".npy files of one observation or a batch of them, or whole numbers: seeds of episodes to "
        "play and record",
        "export": "write the network for serving: a SavedModel from observations to Q-values and actions",
    }
    summary_size = ("actions", "actions (0: the environment's)", 0)
    backends = ("tensorflow",)
    backend_reason = "its learner is built on TensorFlow: tf.GradientTape steps, or TF-Agents"
    hparams = (
        "network.hidden_units",
        "network.dueling",
        "train.learning_rate",
        "train.epochs",
        "train.steps_per_epoch",
        "agent.batch_size",
        "agent.gamma",
        "agent.n_step",
        "agent.double",
        "agent.target_update",
        "agent.epsilon_decay_steps",
        "env.id",
    )
    scores = ("mean_return", "std_return", "mean_length", "solved", "env_steps", "eval/mean_return")

    def load_config(self, path, overrides=()):
        return load(path, overrides)

    def write_sample_data(self, directory):
        from .data import write_sample_data

        return write_sample_data(directory)

    def read_data(self, config):
        from .data import read_environment

        return read_environment(config)

    def train(self, config, data, session):
        from .train import train

        return train(config, data, session)

    def evaluate(self, config, run):
        from .evaluate import evaluate

        return evaluate(config, run)

    def predict(self, config, run, inputs, output, args):
        from .predict import predict

        return predict(config, run, inputs, output)

    def export(self, config, run, formats):
        from .export import export

        return export(config, run, formats)

    def load_model(self, run):
        from .model import load_run_network

        return load_run_network(run)

    def example_model(self, config, size):
        from .model import example_model

        return example_model(config, size)
