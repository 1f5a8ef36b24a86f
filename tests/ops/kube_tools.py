"""kubeconform v0.8.0 (built with ``go install`` into ``.local/cache/bin`` on first use) and the strict
Kubernetes schemas it validates against, taken offline from PyPI's ``kubernetes-validate`` package.

kubernetes-validate's schemas give each kind an ``$id`` under https://kubernetes.io/api/ and refer to
``/api/_definitions.json``, which a validator would fetch from the web; the copy in ``.local/cache``
refers to the ``_definitions.json`` beside it instead, so kubeconform resolves everything from disk.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import kubernetes_validate

from tessera_devtools.layout import Layout, cache_lock, find_tool
from tessera_devtools.process import run_step

KUBECONFORM_MODULE = "github.com/yannh/kubeconform/cmd/kubeconform"
KUBECONFORM_VERSION = "v0.8.0"
KUBERNETES_VERSION = "1.33.0"
SCHEMA_TEMPLATE = (
    "{{ .NormalizedKubernetesVersion }}-local{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json"
)
_REMOTE_DEFINITIONS = '"/api/_definitions.json#'


def kubeconform(layout: Layout) -> Path:
    """The kubeconform binary, built on first use (Go is on every machine of this project)."""
    target = layout.cache / "bin" / f"kubeconform-{KUBECONFORM_VERSION}"
    if target.is_file():
        return target
    with cache_lock(layout, "kubeconform"):
        if not target.is_file():
            go = find_tool("go", "GOROOT")
            if go is None:
                raise RuntimeError("Go is not installed: it builds kubeconform")
            gobin = layout.cache / f".kubeconform-{KUBECONFORM_VERSION}.partial"
            shutil.rmtree(gobin, ignore_errors=True)
            log = layout.log("kubeconform-install")
            log.parent.mkdir(parents=True, exist_ok=True)
            env = {**os.environ, "GOBIN": str(gobin)}
            run_step(
                "kubeconform", [go, "install", f"{KUBECONFORM_MODULE}@{KUBECONFORM_VERSION}"], log, env=env
            )
            target.parent.mkdir(parents=True, exist_ok=True)
            (gobin / "kubeconform").rename(target)
            shutil.rmtree(gobin, ignore_errors=True)
    return target


def strict_schemas(layout: Layout) -> Path:
    """A folder kubeconform's ``-schema-location`` template reads: ``v<version>-local-strict/<kind>.json``."""
    version_dir = f"v{KUBERNETES_VERSION}-local-strict"
    source = Path(kubernetes_validate.__file__).parent / "kubernetes-json-schema" / version_dir
    root = layout.cache / f"kubernetes-validate-{kubernetes_validate.__version__}"
    target = root / version_dir
    with cache_lock(layout, "kubernetes-schemas"):
        if not (target / "_definitions.json").is_file():
            partial = root / f".{version_dir}.partial"
            shutil.rmtree(partial, ignore_errors=True)
            partial.mkdir(parents=True)
            for schema in source.glob("*.json"):
                (partial / schema.name).write_text(_local(schema.read_text()))
            partial.rename(target)
    return root


def _local(text: str) -> str:
    """A kind's schema that resolves ``_definitions.json`` next to itself rather than on the web."""
    schema = json.loads(text.replace(_REMOTE_DEFINITIONS, '"_definitions.json#'))
    schema.pop("$id", None)
    return json.dumps(schema)
