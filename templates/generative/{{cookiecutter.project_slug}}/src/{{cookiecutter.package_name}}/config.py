"""The typed config of this project: every knob of `configs/default.yaml`, with its checks."""

import dataclasses
from typing import Literal, Union

from .runtime import settings
from .runtime.config import load_config


@dataclasses.dataclass
class Data:
    dir: str = "data/sample"  # a folder of images; one sub-folder per class makes class-conditional sampling possible
    image_size: Union[int, Literal["auto"]] = "auto"  # auto: the median image side, rounded to 8, in [16, 128]
    channels: Union[int, Literal["auto"]] = "auto"  # auto: 1 when every image is grey, else 3
    val_fraction: float = 0.1  # held out for the loss, KID and the judge's accuracy
{%- if cookiecutter.model_family == 'gan' %}
    batch_size: int = 32  # the GAN's: twice the updates per epoch of 64, which it needs more than larger batches
{%- else %}
    batch_size: int = 64
{%- endif %}
    flip: bool = True  # mirror left-right at random: more data for free, unless your images have a handedness

    def validate(self):
        if not 0.0 < self.val_fraction < 1.0:
            raise ValueError(f"data.val_fraction is {self.val_fraction}, expected a number in (0, 1)")
        if self.batch_size < 2:
            raise ValueError(f"data.batch_size is {self.batch_size}, expected 2 or more")
        if self.image_size != "auto" and (self.image_size < 16 or self.image_size % 8):
            raise ValueError(f"data.image_size is {self.image_size}, expected auto or a multiple of 8 from 16")
        if self.channels not in ("auto", 1, 3):
            raise ValueError(f"data.channels is {self.channels}, expected auto, 1 or 3")


{% if cookiecutter.model_family == 'vae' -%}
@dataclasses.dataclass
class Model:
    conditional: Union[bool, Literal["auto"]] = "auto"  # auto: conditional when the data has class sub-folders
    filters: list[int] = dataclasses.field(default_factory=lambda: [32, 64, 128])  # per stride-2 stage
    latent_dim: int = 32
    beta: float = 1.0  # the ELBO's weight of the KL term; above 1 trades detail for a smoother latent space
    reconstruction: Literal["bernoulli", "gaussian"] = "bernoulli"  # the decoder's likelihood of a pixel

    def validate(self):
        if not self.filters or min(self.filters) < 1:
            raise ValueError(f"model.filters is {self.filters}, expected a list of positive counts")
        if self.latent_dim < 1:
            raise ValueError(f"model.latent_dim is {self.latent_dim}, expected 1 or more")
        if self.beta < 0:
            raise ValueError(f"model.beta is {self.beta}, expected 0 or more")
{%- elif cookiecutter.model_family == 'gan' -%}
@dataclasses.dataclass
class Model:
    conditional: Union[bool, Literal["auto"]] = "auto"  # auto: conditional when the data has class sub-folders
    latent_dim: int = 64
    filters: int = 32  # channels at half the image size in both networks, doubling per halving (at most 8x)
    loss: Literal["non_saturating", "hinge", "wgan_gp"] = "hinge"
    gradient_penalty: float = 10.0  # wgan_gp: the weight of the penalty on the critic's gradient norm
    critic_steps: int = 1  # discriminator updates per generator update, each on a fresh real batch (wgan_gp: 5)
    spectral_norm: bool = False  # of the discriminator; off: with it, it stayed near chance on the sample data
    minibatch_stddev: bool = True  # the discriminator sees the batch's spread: a defence against mode collapse
    # DiffAugment of all the discriminator sees, against memorising: any of colour, translation, cutout; []: none
    augment: list[str] = dataclasses.field(default_factory=lambda: ["translation"])
    class_loss: float = 1.0  # conditional: weight of the discriminator's class prediction (real) and the generator's
    ema: float = 0.99  # decay of the moving average of the generator's weights that samples are drawn with
    discriminator_learning_rate: Union[float, Literal["auto"]] = "auto"  # auto: train.learning_rate
    beta_1: float = 0.5  # Adam's first moment for both networks: 0.5, as DCGAN found stable

    def validate(self):
        if self.latent_dim < 1 or self.filters < 1:
            raise ValueError("model.latent_dim and model.filters must be 1 or more")
        if self.critic_steps < 1:
            raise ValueError(f"model.critic_steps is {self.critic_steps}, expected 1 or more")
        if not 0.0 <= self.ema < 1.0:
            raise ValueError(f"model.ema is {self.ema}, expected a number in [0, 1)")
        if set(self.augment) - {"colour", "translation", "cutout"}:
            raise ValueError(f"model.augment is {self.augment}, expected a list of colour, translation, cutout")
        if self.class_loss < 0:
            raise ValueError(f"model.class_loss is {self.class_loss}, expected 0 or more")
        if self.gradient_penalty < 0:
            raise ValueError(f"model.gradient_penalty is {self.gradient_penalty}, expected 0 or more")
        if not 0.0 <= self.beta_1 < 1.0:
            raise ValueError(f"model.beta_1 is {self.beta_1}, expected a number in [0, 1)")
        if self.discriminator_learning_rate != "auto" and self.discriminator_learning_rate <= 0:
            raise ValueError(f"model.discriminator_learning_rate is {self.discriminator_learning_rate}: auto or > 0")
{%- else -%}
@dataclasses.dataclass
class Model:
    conditional: Union[bool, Literal["auto"]] = "auto"  # auto: conditional when the data has class sub-folders
    # U-Net channels per resolution, narrow at full size where convolutions cost most, wide where shapes form
    widths: list[int] = dataclasses.field(default_factory=lambda: [16, 32, 64, 128])
    blocks_per_level: int = 1
    attention_levels: list[int] = dataclasses.field(default_factory=lambda: [2, 3])  # levels (0: full size)
    schedule: Literal["linear", "cosine"] = "cosine"  # the noise schedule over the timesteps
    timesteps: int = 1000
    ema: float = 0.995  # decay of the weights' moving average that samples are drawn with; 0.999 for long runs
    label_dropout: float = 0.1  # conditional: share of labels dropped in training, for classifier-free guidance
    prediction: Literal["eps", "v"] = "v"  # what the U-Net learns: the noise (DDPM) or v, which learns shapes faster

    def validate(self):
        if not self.widths or min(self.widths) < 1:
            raise ValueError(f"model.widths is {self.widths}, expected a list of positive channel counts")
        if any(not 0 <= level < len(self.widths) for level in self.attention_levels):
            raise ValueError(f"model.attention_levels {self.attention_levels} must be levels 0..{len(self.widths) - 1}")
        if self.timesteps < 2:
            raise ValueError(f"model.timesteps is {self.timesteps}, expected 2 or more")
        if not 0.0 <= self.ema < 1.0:
            raise ValueError(f"model.ema is {self.ema}, expected a number in [0, 1)")
        if not 0.0 <= self.label_dropout < 1.0:
            raise ValueError(f"model.label_dropout is {self.label_dropout}, expected a number in [0, 1)")
{%- endif %}
{%- if cookiecutter.model_family == 'diffusion' %}


@dataclasses.dataclass
class Text:
    """Drawing from text instead of classes: each image's caption, as a frozen encoder's sentence vector."""

    encoder: str = ""  # a preset folder on disk (keras-hub, or Hugging Face BERT-style); "": draw by class or freely
    sequence_length: int = 32  # tokens per caption; longer ones are cut

    def validate(self):
        if self.sequence_length < 4:
            raise ValueError(f"text.sequence_length is {self.sequence_length}, expected 4 or more")
{%- endif %}


@dataclasses.dataclass
class Sample:
    """How images are drawn: by `predict`, the `sample` verb, the grid each epoch, the scores and the export."""

    count: int = 64  # the `sample` verb's images (per class when conditional)
    batch_size: int = 64
{%- if cookiecutter.model_family == 'diffusion' %}
    method: Literal["ddim", "ddpm"] = "ddim"  # ddim: deterministic, few steps; ddpm: the training chain, stochastic
    steps: int = 10  # denoising steps (ddpm: model.timesteps or fewer, strided); each one costs a network call
    guidance: float = 4.0  # classifier-free guidance scale when conditional; 1: none, higher: more typical of the class
    guidance_rescale: float = 1.0  # share of the guided prediction's spread brought back to the conditional one's
{%- endif %}

    def validate(self):
        if self.count < 1 or self.batch_size < 1:
            raise ValueError("sample.count and sample.batch_size must be 1 or more")
{%- if cookiecutter.model_family == 'diffusion' %}
        if self.steps < 1:
            raise ValueError(f"sample.steps is {self.steps}, expected 1 or more")
        if self.guidance < 0:
            raise ValueError(f"sample.guidance is {self.guidance}, expected 0 or more")
        if not 0 <= self.guidance_rescale <= 1:
            raise ValueError(f"sample.guidance_rescale is {self.guidance_rescale}, expected 0 to 1")
{%- endif %}


@dataclasses.dataclass
class Quality:
    """How the samples are scored: by a classifier (the judge) trained on the same real images first."""

    samples: int = 1000  # generated images scored at the end of training and by `evaluate`
{%- if cookiecutter.model_family == 'diffusion' %}
    epoch_samples: int = 96  # generated images scored after each epoch, for the best checkpoint (each takes steps)
{%- else %}
    epoch_samples: int = 200  # generated images scored after each epoch, for the best checkpoint
{%- endif %}
    judge_epochs: int = 10  # epochs of the judge's training, once per run

    def validate(self):
        if self.samples < 10 or self.epoch_samples < 10:
            raise ValueError("quality.samples and quality.epoch_samples must be 10 or more (KID needs pairs)")
        if self.judge_epochs < 1:
            raise ValueError(f"quality.judge_epochs is {self.judge_epochs}, expected 1 or more")


@dataclasses.dataclass
class Train(settings.Train):
{%- if cookiecutter.model_family == 'vae' %}
    epochs: int = 100  # the decoder learns to take the shape from the label late: 0.9 of samples match it by ~100
    learning_rate: float = 0.002
    early_stopping_patience: int = 10  # the class KID improves slowly and unevenly: a long patience
    early_stopping_start: int = 20
{%- elif cookiecutter.model_family == 'gan' %}
    optimizer: Literal["adam"] = "adam"  # both networks: Adam, with model.beta_1
    epochs: int = 30
    learning_rate: float = 0.001  # the generator's; 2e-4 (DCGAN's) learns far slower in a few thousand steps
{%- else %}
    epochs: int = 40  # the cosine schedule's length; on the sample data the samples are best near epoch 21
    learning_rate: float = 0.002
    schedule: Literal["constant", "cosine", "plateau"] = "cosine"
    early_stopping_patience: int = 4  # the samples get no better once past their best: stop there
    early_stopping_start: int = 10
{%- endif %}


@dataclasses.dataclass
class Config:
    data: Data = dataclasses.field(default_factory=Data)
    model: Model = dataclasses.field(default_factory=Model)
{%- if cookiecutter.model_family == 'diffusion' %}
    text: Text = dataclasses.field(default_factory=Text)
{%- endif %}
    sample: Sample = dataclasses.field(default_factory=Sample)
    quality: Quality = dataclasses.field(default_factory=Quality)
    train: Train = dataclasses.field(default_factory=Train)
    run: settings.Run = dataclasses.field(default_factory=settings.Run)


def load(path, overrides=()):
    return load_config(Config, path, overrides)
