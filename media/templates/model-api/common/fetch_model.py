"""Downloads the MLflow model {{modelUri}} into {{modelPath}}/ so that it is built
into the image. Needs MLFLOW_TRACKING_URI (and credentials, if the server asks)."""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path

import mlflow

MODEL_URI = "{{modelUri}}"


def registered() -> dict | None:
    """The registered version MODEL_URI names (an alias resolved now), or None for a run's or a logged model."""
    m = re.fullmatch(r"models:/(.+?)(?:@([\w-]+)|/(\d+))", MODEL_URI)
    if not m:
        return None
    name, alias, version = m.groups()
    client = mlflow.MlflowClient()
    mv = client.get_model_version_by_alias(name, alias) if alias else client.get_model_version(name, version)
    record = {"name": name, "version": str(mv.version)}
    if alias:
        record["alias"] = alias
    if mv.run_id:
        record["run_id"] = mv.run_id
    return record


def main() -> None:
    dest = Path(__file__).resolve().parent / "{{modelPath}}"
    # An alias is resolved once, and that version downloaded: what is recorded is what is served.
    record = registered()
    uri = f"models:/{record['name']}/{record['version']}" if record else MODEL_URI
    with tempfile.TemporaryDirectory() as tmp:
        local = mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=tmp)
        if dest.exists():
            shutil.rmtree(dest)
        shutil.copytree(local, dest)
    if record:
        # The deploy records it on the Deployment: "serving <name> v<version> (@<alias>)".
        (dest / "registered.json").write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"downloaded {uri} to {dest}")
    missing = missing_requirements(dest / "requirements.txt", dest.parent / "requirements.txt")
    if missing:
        # Not written into requirements.txt: that file is yours. Add what the model's flavour needs.
        print("the model needs packages that requirements.txt does not install; add them before building:")
        for line in missing:
            print(f"  {line}")


def _name(line: str) -> str:
    name = re.split(r"[<>=!~;\[ @]", line.strip(), maxsplit=1)[0]
    name = re.sub(r"[-_.]+", "-", name).lower()
    # The same library under its slimmer names.
    return {"mlflow-skinny": "mlflow", "xgboost-cpu": "xgboost"}.get(name, name)


def _lines(path: Path) -> list[str]:
    if not path.exists():
        return []
    return [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines() if ln.strip() and not ln.lstrip().startswith(("#", "-"))]


def _installed_with(names: set[str]) -> set[str]:
    """The names, and what they pull in as installed here (pip installs those with them too)."""
    from importlib import metadata

    seen: set[str] = set()
    todo = list(names) + [{"mlflow": "mlflow-skinny", "xgboost": "xgboost-cpu"}.get(n, n) for n in names]
    while todo:
        raw = todo.pop()
        name = _name(raw)
        if raw in seen:
            continue
        seen.add(raw)
        seen.add(name)
        try:
            requires = metadata.requires(raw) or []
        except metadata.PackageNotFoundError:
            continue
        todo.extend(_name(r) for r in requires if "extra ==" not in r)
    return {_name(n) for n in seen}


def missing_requirements(model_requirements: Path, project_requirements: Path) -> list[str]:
    """What the model's own requirements.txt (MLflow writes one) lists that the project's does not install."""
    have = _installed_with({_name(ln) for ln in _lines(project_requirements)})
    return [ln for ln in _lines(model_requirements) if _name(ln) not in have]


if __name__ == "__main__":
    main()
