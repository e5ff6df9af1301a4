"""`make demo`'s cases: every template, variant and config-choice demo of a conformance.yaml resolves to a bake and
the overrides and targets it trains to."""

import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))

from demo import demo_of  # noqa: E402


def cases():
    found = []
    for spec_file in sorted(ROOT.glob("templates/*/conformance.yaml")):
        template, spec = spec_file.parent.name, yaml.safe_load(spec_file.read_text())
        found += [template, *(f"{template}-{name}" for name in (*spec.get("variants", {}), *spec.get("demos", {})))]
    return found


@pytest.mark.parametrize("case", cases())
def test_every_demo_resolves_to_overrides_and_a_target(case):
    template, context, demo = demo_of(case)
    assert case.startswith(template) and isinstance(context, dict)
    assert isinstance(demo["overrides"], list)
    assert demo.get("targets") or {demo["metric"]: demo["target"]}


def test_a_config_choice_demo_bakes_the_defaults_with_its_own_overrides():
    template, context, demo = demo_of("object-detection-mask_rcnn")
    assert (template, context) == ("object-detection", {})
    assert "model.masks=true" in demo["overrides"] and demo["targets"] == {"map_50": 0.7, "mask_map_50": 0.6}


def test_an_unknown_case_stops_with_its_name():
    with pytest.raises(SystemExit, match="no template, variant or demo named object-detection-yolo"):
        demo_of("object-detection-yolo")
