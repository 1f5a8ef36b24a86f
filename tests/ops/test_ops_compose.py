"""Compose's file is valid against the compose-spec JSON schema, and its .env.example sets every
variable Compose refuses to start without."""

import re
import subprocess
import sys
from pathlib import Path

from ops_support import ROOT

COMPOSE = ROOT / "deploy" / "compose"
# check-jsonschema vendors the compose-spec schema (github.com/compose-spec/compose-spec, Apache-2.0).
COMPOSE_SPEC = "vendor.compose-spec"


def validate(path: Path) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "check_jsonschema", "--builtin-schema", COMPOSE_SPEC, str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_compose_file_is_valid_against_the_compose_spec() -> None:
    checked = validate(COMPOSE / "compose.yaml")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_misspelt_compose_key_fails_validation(tmp_path: Path) -> None:
    broken = tmp_path / "compose.yaml"
    broken.write_text(
        (COMPOSE / "compose.yaml").read_text().replace("stop_grace_period: 20s", "stop_grace: 20s")
    )
    checked = validate(broken)
    assert checked.returncode == 1
    assert "stop_grace" in checked.stdout


def test_env_example_sets_every_variable_compose_requires_and_nothing_else() -> None:
    required = set(re.findall(r"\$\{([A-Z0-9_]+):\?", (COMPOSE / "compose.yaml").read_text()))
    optional = set(re.findall(r"\$\{([A-Z0-9_]+):-", (COMPOSE / "compose.yaml").read_text()))
    example = (COMPOSE / ".env.example").read_text()
    defined = set(re.findall(r"^([A-Z0-9_]+)=", example, flags=re.MULTILINE))
    assert required - defined == set()
    assert defined - required - optional == set()
