"""The tessera-events wheel a subscriber installs: it carries the published schemas and AsyncAPI
document, its licence, readme and links, accepts any pydantic 2 from 2.7, and the subscriber guide's
snippets run against it as written."""

import json
import re
import zipfile
from email.parser import Parser

from ops_support import ROOT
from published_artefacts import SubscriberEnvironment

CONTRACTS = ROOT / "contracts"
GUIDE = CONTRACTS / "README.md"


def test_the_wheel_carries_every_published_file_as_package_data(
    subscriber_environment: SubscriberEnvironment,
) -> None:
    with zipfile.ZipFile(subscriber_environment.wheel) as wheel:
        names = set(wheel.namelist())
        packaged = {
            name.removeprefix("tessera_events/published/schemas/")
            for name in names
            if name.startswith("tessera_events/published/schemas/")
        }
        assert packaged == {path.name for path in (CONTRACTS / "schemas").glob("*.json")}
        assert (
            wheel.read("tessera_events/published/asyncapi.json") == (CONTRACTS / "asyncapi.json").read_bytes()
        )
        assert "tessera_events/py.typed" in names


def test_the_wheel_has_a_licence_readme_links_and_a_pydantic_range(
    subscriber_environment: SubscriberEnvironment,
) -> None:
    with zipfile.ZipFile(subscriber_environment.wheel) as wheel:
        (metadata_name,) = [name for name in wheel.namelist() if name.endswith(".dist-info/METADATA")]
        metadata = Parser().parsestr(wheel.read(metadata_name).decode())
        licence = wheel.read(metadata_name.replace("METADATA", "licenses/LICENSE")).decode()
    assert metadata["License-Expression"] == "Apache-2.0"
    assert "Apache License" in licence
    assert "Version 2.0" in licence
    assert metadata["Description-Content-Type"] == "text/markdown"
    assert metadata.get_payload().startswith("# tessera-events")
    assert {url.split(",")[0] for url in metadata.get_all("Project-URL")} >= {"Homepage", "Documentation"}
    (pydantic,) = [
        requirement for requirement in metadata.get_all("Requires-Dist") if "pydantic" in requirement
    ]
    assert "==" not in pydantic
    assert "<3" in pydantic
    assert ">=2.7" in pydantic


def test_the_contracts_licence_is_the_repositorys() -> None:
    assert (CONTRACTS / "LICENSE").read_bytes() == (ROOT / "LICENSE").read_bytes()


def test_an_installed_wheel_finds_its_schemas_and_asyncapi_document(
    subscriber_environment: SubscriberEnvironment,
) -> None:
    found = subscriber_environment.run_python(
        "import json, tessera_events.published as p\n"
        "print(json.dumps([len(p.schema_files()), p.asyncapi()['info']['version'], str(p.contract_files())]))"
    )
    count, version, folder = json.loads(found)
    assert count == len(list((CONTRACTS / "schemas").glob("*.json")))
    assert version == re.search(r'^version = "(.+)"$', (CONTRACTS / "pyproject.toml").read_text(), re.M)[1]
    assert "site-packages" in folder


def guide_snippets() -> list[str]:
    return re.findall(r"```python\n(.*?)```", GUIDE.read_text(), re.DOTALL)


# Each snippet of the guide runs as written; then these lines use what it defined, on real records.
USES = {
    "def read(": """
import json
from tessera_events.examples import example_event
from tessera_events.kafka_binding import encode
event = example_event("tessera.billing.PayerReassigned.v1")
key, value, headers = encode(event)
event_type, event_id, data = read(key, value, headers)
assert (event_type, event_id) == (event.type, str(event.id)), (event_type, event_id)
assert data == json.loads(event.to_json())["data"]
print("read ok")
""",
    "def check(": """
import json
from jsonschema import ValidationError
from tessera_events.examples import example_event
from tessera_events.kafka_binding import encode
_, value, headers = encode(example_event("tessera.billing.PayerReassigned.v1"))
assert check(value, headers)["type"] == "tessera.billing.PayerReassigned.v1"
broken = json.loads(value)
broken["data"]["billing_mode"] = "nobody_pays"
try:
    check(json.dumps(broken).encode(), headers)
except ValidationError:
    print("check ok")
""",
    "async def follow(": """
import asyncio
from tessera_events.examples import example_event
from tessera_events.kafka_binding import encode

class Record:
    def __init__(self, value):
        self.value = value

class Consumer:
    # Stands in for a started AIOKafkaConsumer: the same record twice, then garbage, then the end.
    def __init__(self, values):
        self.values, self.commits = values, 0
    def __aiter__(self):
        return self
    async def __anext__(self):
        if not self.values:
            raise StopAsyncIteration
        return Record(self.values.pop(0))
    async def commit(self):
        self.commits += 1

_, value, _ = encode(example_event("tessera.billing.PayerReassigned.v1"))
consumer, seen = Consumer([value, value, b"not json"]), set()
asyncio.run(follow(consumer, seen))
assert len(seen) == 1 and consumer.commits == 3
print("follow ok")
""",
}


def test_every_snippet_of_the_subscriber_guide_runs_against_the_wheel(
    subscriber_environment: SubscriberEnvironment,
) -> None:
    snippets = guide_snippets()
    used = {marker: [snippet for snippet in snippets if marker in snippet] for marker in USES}
    assert all(len(found) == 1 for found in used.values()), "each snippet is used exactly once"
    assert len(snippets) == len(USES), "a new snippet needs its use here"
    for marker, (snippet,) in used.items():
        output = subscriber_environment.run_python(snippet + USES[marker])
        assert output.strip().endswith("ok"), output
