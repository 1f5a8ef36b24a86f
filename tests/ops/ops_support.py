"""What the operations tests share: the repository's paths, the kit's metric catalogue, PromQL's
metric names, and the tools they run (promtool, kubeconform)."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest

from tessera_kit.metrics import Metrics

ROOT = Path(__file__).resolve().parents[2]
MONITORING = ROOT / "deploy" / "monitoring"
SERVICES = ("identity", "partnership", "billing", "wallet", "notify")

# What each kind of metric family exposes, as prometheus_client writes it.
_SAMPLE_SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_count", "_sum", "_created"),
    "summary": ("", "_count", "_sum", "_created"),
}
_PROMQL_WORDS = frozenset(
    {"by", "without", "on", "ignoring", "group_left", "group_right", "and", "or", "unless", "bool", "offset"}
)
_GROUPING = re.compile(r"\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?")


def metric_catalogue() -> set[str]:
    """Every sample name a service's /metrics can carry: the kit's instruments and its collectors."""
    names: set[str] = set()
    for family in Metrics().registry.collect():
        names |= {family.name + suffix for suffix in _SAMPLE_SUFFIXES.get(family.type, ("",))}
    return names


def metric_names(expression: str) -> set[str]:
    """The metric names a PromQL expression selects (not its functions, keywords or label names)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expression)
    text = re.sub(r"\{[^}]*\}|\[[^\]]*\]", " ", text)
    text = _GROUPING.sub(" ", text)
    return {
        name
        for name, call in _IDENTIFIER.findall(text)
        if not call and name not in _PROMQL_WORDS and not name.isdigit()
    }


def required_tool(name: str, how_to_install: str) -> str:
    """The path of a tool the test needs: missing, it fails in CI and skips (saying why) elsewhere."""
    path = shutil.which(name)
    if path is not None:
        return path
    message = f"{name} is not installed: {how_to_install}"
    if os.environ.get("CI"):
        pytest.fail(message)
    pytest.skip(message)
