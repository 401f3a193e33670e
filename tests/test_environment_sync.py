"""pyproject.toml and environment.yml list the same Python dependencies."""

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# conda-forge name -> PyPI name, for packages named differently
CONDA_TO_PYPI = {"python-graphviz": "graphviz"}
# conda packages that are not Python distributions (programs, the interpreter, the installer)
CONDA_ONLY = {"python", "pip", "graphviz"}


def _name(requirement: str) -> str:
    return re.split(r"[<>=!~\[ ;]", requirement.strip(), maxsplit=1)[0].lower()


def pyproject_names() -> set[str]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {_name(r) for r in project["dependencies"]}
    for extra in project["optional-dependencies"].values():
        names |= {_name(r) for r in extra if not r.startswith("simulator")}
    return names


def environment_names() -> set[str]:
    """PyPI names of the `dependencies:` of environment.yml (conda packages and the pip: list)."""
    lines = (ROOT / "environment.yml").read_text().splitlines()
    body = lines[lines.index("dependencies:") + 1:]
    names = set()
    for line in body:
        if line and not line.startswith(" "):
            break
        item = re.match(r"^(\s*)-\s+(\S+)", line.split("#")[0])
        if not item or item.group(2) == "pip:" or item.group(2).startswith("-"):
            continue
        name = _name(item.group(2))
        if len(item.group(1)) > 2:          # under pip:
            names.add(name)
        elif name not in CONDA_ONLY:
            names.add(CONDA_TO_PYPI.get(name, name))
    return names


def test_every_pyproject_dependency_is_in_environment_yml():
    assert pyproject_names() - environment_names() == set()


def test_every_environment_yml_package_is_in_pyproject():
    assert environment_names() - pyproject_names() == set()


def test_graphviz_program_and_bindings_both_listed():
    text = (ROOT / "environment.yml").read_text()
    assert re.search(r"^\s+- graphviz\b", text, re.M) and re.search(r"^\s+- python-graphviz\b", text, re.M)
