"""The committed schemas and AsyncAPI document match the models, and only ever change compatibly."""

import json
import shutil
from pathlib import Path

import pytest

from tessera_events.__main__ import GENERATE_COMMAND, main
from tessera_events.publishing import ASYNCAPI_FILE, SCHEMAS_DIR, inspect_files
from tessera_events.registry import EVENT_CLASSES
from tessera_events.schemas import schema_id

CONTRACTS_DIR = Path(__file__).resolve().parents[1]
PAYER_REASSIGNED = "schemas/tessera.billing.PayerReassigned.v1.json"


@pytest.fixture
def contracts_copy(tmp_path: Path) -> Path:
    """A copy of the committed contract files to break on purpose."""
    shutil.copytree(CONTRACTS_DIR / SCHEMAS_DIR, tmp_path / SCHEMAS_DIR)
    shutil.copy(CONTRACTS_DIR / ASYNCAPI_FILE, tmp_path / ASYNCAPI_FILE)
    return tmp_path


def test_committed_schemas_and_asyncapi_are_fresh() -> None:
    findings = inspect_files(CONTRACTS_DIR)

    assert (findings.missing, findings.stale) == ((), ()), f"run: {GENERATE_COMMAND}"


def test_every_current_model_is_compatible_with_its_committed_schema() -> None:
    findings = inspect_files(CONTRACTS_DIR)

    assert findings.incompatible == {}
    assert findings.removed == ()


def test_every_event_type_has_a_committed_schema_named_after_it() -> None:
    for cls in EVENT_CLASSES:
        schema = json.loads((CONTRACTS_DIR / SCHEMAS_DIR / f"{cls.EVENT_TYPE}.json").read_text())
        assert schema["$id"] == schema_id(cls.EVENT_TYPE)
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        assert schema["properties"]["type"]["const"] == cls.EVENT_TYPE


def test_check_passes_on_the_committed_files(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--dir", str(CONTRACTS_DIR), "check"]) == 0


def test_check_fails_on_a_stale_file_and_says_what_to_run(
    contracts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (contracts_copy / ASYNCAPI_FILE).write_text("{}\n")

    assert main(["--dir", str(contracts_copy), "check"]) == 1
    error = capsys.readouterr().err
    assert f"stale: {ASYNCAPI_FILE}" in error
    assert GENERATE_COMMAND in error


def test_check_fails_on_a_missing_file(contracts_copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (contracts_copy / PAYER_REASSIGNED).unlink()

    assert main(["--dir", str(contracts_copy), "check"]) == 1
    assert f"missing: {PAYER_REASSIGNED}" in capsys.readouterr().err


def test_check_fails_on_a_published_schema_without_a_model(
    contracts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(contracts_copy / PAYER_REASSIGNED, contracts_copy / "schemas/tessera.billing.Gone.v1.json")

    assert main(["--dir", str(contracts_copy), "check"]) == 1
    assert "a published event type was removed: tessera.billing.Gone.v1" in capsys.readouterr().err


def test_check_fails_when_a_model_breaks_its_published_schema(
    contracts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _publish_a_field_the_model_lacks(contracts_copy)

    assert main(["--dir", str(contracts_copy), "check"]) == 1
    error = capsys.readouterr().err
    assert "data.invoice_id: property removed" in error
    assert "add PayerReassignedV2 with EVENT_TYPE tessera.billing.PayerReassigned.v2" in error


def test_check_judges_compatibility_against_another_published_folder(
    contracts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _publish_a_field_the_model_lacks(contracts_copy)

    arguments = ["--dir", str(CONTRACTS_DIR), "check", "--published", str(contracts_copy / SCHEMAS_DIR)]
    assert main(arguments) == 1
    assert "data.invoice_id: property removed" in capsys.readouterr().err


def test_generate_refuses_to_overwrite_a_published_schema_with_an_incompatible_one(
    contracts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    published = _publish_a_field_the_model_lacks(contracts_copy)
    (contracts_copy / ASYNCAPI_FILE).write_text("{}\n")

    assert main(["--dir", str(contracts_copy), "generate"]) == 1
    assert "bump the event's version: add PayerReassignedV2" in capsys.readouterr().err
    assert (contracts_copy / PAYER_REASSIGNED).read_text() == published
    assert (contracts_copy / ASYNCAPI_FILE).read_text() == "{}\n"


def test_generate_keeps_a_published_schema_without_a_model(
    contracts_copy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    orphan = contracts_copy / "schemas/tessera.billing.Gone.v1.json"
    shutil.copy(contracts_copy / PAYER_REASSIGNED, orphan)

    assert main(["--dir", str(contracts_copy), "generate"]) == 1
    assert orphan.exists()


def test_generate_writes_every_file_into_an_empty_folder(tmp_path: Path) -> None:
    assert main(["--dir", str(tmp_path), "generate"]) == 0

    assert inspect_files(tmp_path).ok
    assert {path.name for path in (tmp_path / SCHEMAS_DIR).iterdir()} == {
        f"{cls.EVENT_TYPE}.json" for cls in EVENT_CLASSES
    }


def _publish_a_field_the_model_lacks(contracts_dir: Path) -> str:
    """Pretend the published PayerReassigned had a field the current model dropped."""
    path = contracts_dir / PAYER_REASSIGNED
    schema = json.loads(path.read_text())
    schema["$defs"]["PayerReassigned"]["properties"]["invoice_id"] = {"type": "string", "format": "uuid"}
    schema["$defs"]["PayerReassigned"]["required"].append("invoice_id")
    text = json.dumps(schema, indent=2, sort_keys=True) + "\n"
    path.write_text(text)
    return text
