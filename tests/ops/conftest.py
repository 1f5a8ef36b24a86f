"""Fixtures of the operations tests (deploy files, monitoring, published artefacts)."""

import published_artefacts
import pytest
from ops_support import required_tool
from published_artefacts import SubscriberEnvironment


@pytest.fixture(scope="session")
def promtool() -> str:
    """Prometheus's promtool (Debian's `prometheus` package, installed by .ci/run)."""
    return required_tool("promtool", "apt-get install -y prometheus (as root; .ci/run does it)")


@pytest.fixture(scope="session")
def subscriber_environment(tmp_path_factory: pytest.TempPathFactory) -> SubscriberEnvironment:
    """The contracts wheel, built now, in a virtual environment of its own with the example's requirements."""
    return published_artefacts.subscriber_environment(tmp_path_factory.mktemp("published"))
