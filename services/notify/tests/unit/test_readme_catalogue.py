"""The README's catalogue is the catalogue, with examples the real renderer writes."""

from tessera_notify.catalogue_doc import README, readme_with_catalogue, render_catalogue
from tessera_notify.domain.catalogue import KINDS


def test_the_readme_lists_every_notification_with_an_example_rendered_from_the_templates() -> None:
    readme = README.read_text(encoding="utf-8")

    assert readme == readme_with_catalogue(readme, render_catalogue()), (
        "services/notify/README.md is stale: run `uv run python -m tessera_notify.catalogue_doc`"
    )
    for kind in KINDS:
        assert f"#### {kind.name.replace('_', '-')}" in readme
