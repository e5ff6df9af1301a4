"""Typed configs: YAML files and `key=value` overrides become nested dataclasses, checked on the way.

A template declares its config as dataclasses with defaults; `load_config` reads the YAML file, applies
command-line overrides such as `train.epochs=5`, and checks every key and type. A wrong key or value
raises a `UserError` naming the file, the key and what would be accepted.

    @dataclasses.dataclass
    class Train:
        epochs: int = 10
        optimizer: Literal["adam", "sgd"] = "adam"

    @dataclasses.dataclass
    class Config:
        train: Train = dataclasses.field(default_factory=Train)

    config = load_config(Config, "configs/default.yaml", ["train.epochs=3"])
"""

import dataclasses
import difflib
import types
import typing
from pathlib import Path

import yaml

from .errors import UserError


def read_yaml(path):
    """Reads a YAML mapping with `yaml.safe_load`; a missing or malformed file is a `UserError`."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"config file {path} not found: pass --config with an existing YAML file")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        problem = getattr(error, "problem", None) or "not valid YAML"
        raise UserError(f"{path}{where}: {problem}; fix the YAML syntax there") from None
    except UnicodeDecodeError:
        raise UserError(f"{path} is not UTF-8 text: save it as UTF-8") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise UserError(f"{path}: expected a mapping of keys to values at the top level")
    return data


def apply_overrides(data, overrides, source="command line"):
    """Returns a copy of `data` with `dotted.key=value` overrides applied; values are parsed as YAML."""
    data = _deep_copy(data)
    for override in overrides:
        key, sep, text = override.partition("=")
        if not sep or not key:
            raise UserError(f"{source}: override {override!r} must look like section.key=value")
        try:
            value = yaml.safe_load(text) if text else ""
        except yaml.YAMLError:
            value = text
        node = data
        parts = key.split(".")
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise UserError(f"{source}: {key}: {part} is a value, not a section")
            node = child
        node[parts[-1]] = value
    return data


def from_dict(cls, data, source, prefix=""):
    """Builds dataclass `cls` from a mapping, checking keys and value types recursively."""
    if not isinstance(data, dict):
        raise UserError(f"{source}: {prefix or 'top level'} must be a mapping of keys to values")
    fields = {field.name: field for field in dataclasses.fields(cls)}
    hints = typing.get_type_hints(cls)
    for key in data:
        if key not in fields:
            close = difflib.get_close_matches(str(key), fields, n=1)
            hint = f"; did you mean {prefix}{close[0]}?" if close else f"; known keys: {', '.join(fields)}"
            raise UserError(f"{source}: unknown key {prefix}{key}{hint}")
    values = {}
    for name in fields:
        if name in data:
            values[name] = _convert(hints[name], data[name], source, f"{prefix}{name}")
    config = cls(**values)
    check = getattr(config, "validate", None)
    if check is not None:
        try:
            check()
        except ValueError as error:
            raise UserError(f"{source}: {error}") from None
    return config


def load_config(cls, path=None, overrides=(), defaults_only=False):
    """Reads `path` (or nothing), applies overrides and returns a checked `cls` instance."""
    data = {} if defaults_only or path is None else read_yaml(path)
    data = apply_overrides(data, overrides)
    source = f"{path}" if path is not None else "config"
    if overrides:
        source += " (with command-line overrides)"
    return from_dict(cls, data, source)


def to_dict(config):
    """A plain nested dict of a config dataclass, for `config.yaml` in the run folder."""
    return dataclasses.asdict(config)


def flatten(data, prefix=""):
    """`{"a": {"b": 1}}` -> `{"a.b": 1}`; lists become strings, for TensorBoard's HParams."""
    flat = {}
    for key, value in data.items():
        if isinstance(value, dict):
            flat.update(flatten(value, f"{prefix}{key}."))
        elif isinstance(value, (list, tuple)):
            flat[f"{prefix}{key}"] = str(value)
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def dump_yaml(data):
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def _deep_copy(data):
    if isinstance(data, dict):
        return {key: _deep_copy(value) for key, value in data.items()}
    if isinstance(data, list):
        return [_deep_copy(value) for value in data]
    return data


def _describe(kind):
    origin = typing.get_origin(kind)
    if origin is typing.Literal:
        return "one of " + ", ".join(repr(choice) for choice in typing.get_args(kind))
    if origin in (typing.Union, types.UnionType):
        return " or ".join(_describe(arg) for arg in typing.get_args(kind))
    if origin is list:
        return f"a list of {_describe(typing.get_args(kind)[0])}"
    if kind is type(None):
        return "null"
    return {int: "a whole number", float: "a number", str: "a string", bool: "true or false"}.get(
        kind, getattr(kind, "__name__", str(kind))
    )


def _convert(kind, value, source, key):
    origin = typing.get_origin(kind)
    wrong = UserError(f"{source}: {key} is {value!r}, expected {_describe(kind)}")
    if dataclasses.is_dataclass(kind):
        return from_dict(kind, value, source, f"{key}.")
    if origin is typing.Literal:
        choices = typing.get_args(kind)
        if value in choices:
            return value
        if isinstance(value, str) and value.lower() in choices:
            return value.lower()
        raise wrong
    if origin in (typing.Union, types.UnionType):
        for arg in typing.get_args(kind):
            try:
                return _convert(arg, value, source, key)
            except UserError:
                continue
        raise wrong
    if origin is list:
        if not isinstance(value, list):
            raise wrong
        (item,) = typing.get_args(kind)
        return [_convert(item, element, source, f"{key}[{index}]") for index, element in enumerate(value)]
    if kind is type(None):
        if value is None:
            return None
        raise wrong
    if kind is bool:
        if isinstance(value, bool):
            return value
        raise wrong
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        raise wrong
    if kind is float:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return float(value)
        if isinstance(value, str):  # YAML 1.1 reads 1e-3 (no dot) as a string
            try:
                return float(value)
            except ValueError:
                raise wrong from None
        raise wrong
    if kind is str:
        if isinstance(value, str):
            return value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return str(value)
        raise wrong
    raise TypeError(f"unsupported config type {kind} for {key}")
