"""The import layers of README's "Where the code lives", read from the source with :mod:`ast`.

A layer imports only itself and the layers below it; ``read`` and ``write`` stand side by side and
do not import each other; nothing takes another package's private names; only
``dialogue_kg/core/journal.py`` knows the journal's bytes. Lazy imports inside functions count.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GROUND = {"config", "namespaces", "errors", "addresses", "ontology", "labels", "serbian"}
# Bottom to top; read and write share a rank.
RANK = {
    "ground": 0,
    "core": 1,
    "protocol": 2,
    "read": 3,
    "write": 3,
    "analysis": 4,
    "cli": 5,
    "webapp": 6,
}
JOURNAL = "dialogue_kg.core.journal"
# The journal's record lines (RDF Patch): headers, additions, deletions, prefixes, transactions.
RECORD_TAGS = ("H ", "A ", "D ", "PA ", "PD ", "TX", "TC", "TA")

# Imports that go against the layers, each allowed here by name with its reason. The test fails
# when one of them is no longer made, so the list shrinks as the code moves.
EXCEPTIONS: dict[tuple[str, str], str] = {
    # `dialogue-kg serve` starts the web app; it imports it inside the command, so that every
    # other command runs without Flask loaded. The one place the package reaches up into webapp.
    ("dialogue_kg.cli.serve", "webapp"): "serve starts the web app",
    ("dialogue_kg.cli.serve", "webapp.server"): "serve starts the web app",
}


@dataclass(frozen=True)
class Import:
    """One import statement's target, as seen from ``module``."""

    module: str
    target: str
    names: tuple[str, ...]
    line: int


def module_name(path: Path) -> str:
    """``dialogue_kg/core/journal.py`` → ``dialogue_kg.core.journal``; a package's
    ``__init__.py`` is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str, is_package: bool) -> str:
    """The package a module belongs to (a package's ``__init__`` belongs to itself)."""
    return module if is_package else module.rpartition(".")[0]


def layer(module: str) -> str | None:
    """The layer of a project module; None for anything outside the project."""
    parts = module.split(".")
    if parts[0] == "webapp":
        return "webapp"
    if parts[0] != "dialogue_kg":
        return None
    if len(parts) == 1 or parts[1] in GROUND:
        return "ground"
    if parts[1] == "__main__":
        return "cli"
    return parts[1]


def imports(module: str, tree: ast.AST, is_package: bool) -> list[Import]:
    """Every import in ``tree``, relative ones resolved, those inside functions included."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [Import(module, a.name, (), node.lineno) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = node.module or ""
            if node.level:
                base = package_of(module, is_package).split(".")
                base = base[: len(base) - node.level + 1]
                target = ".".join([*base, *([node.module] if node.module else [])])
            names = tuple(a.name for a in node.names)
            found.append(Import(module, target, names, node.lineno))
    return found


def private(name: str) -> bool:
    """A name meant for its own module: one leading underscore, not a dunder."""
    return name.startswith("_") and not name.startswith("__")


def layer_problems(imp: Import) -> list[str]:
    """What is wrong with one import by the layer rules (exceptions not applied)."""
    mine, theirs = layer(imp.module), layer(imp.target)
    if mine is None or theirs is None:
        return []
    where = f"{imp.module}:{imp.line} imports {imp.target}"
    if mine != "webapp" and theirs == "webapp":
        return [f"{where}: dialogue_kg never imports the web app"]
    if RANK[theirs] > RANK[mine]:
        return [f"{where}: {mine} is below {theirs}"]
    if {mine, theirs} == {"read", "write"}:
        return [f"{where}: read and write do not import each other"]
    return []


def private_problems(imp: Import, is_package: bool) -> list[str]:
    """Private names taken from a module of another package."""
    if layer(imp.target) is None:
        return []
    if package_of(imp.module, is_package) == imp.target.rpartition(".")[0]:
        return []
    if imp.target == package_of(imp.module, is_package):
        return []
    taken = [n for n in imp.names if private(n)]
    return [f"{imp.module}:{imp.line} takes {taken} from {imp.target}"] if taken else []


def private_attribute_problems(module: str, tree: ast.AST, is_package: bool) -> list[str]:
    """``mod._name`` where ``mod`` is a project module of another package, bound by an import."""
    bound: dict[str, str] = {}
    for imp in imports(module, tree, is_package):
        if imp.names:
            bound.update({n: f"{imp.target}.{n}" for n in imp.names})
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                if a.asname:
                    bound[a.asname] = a.name
    mine = package_of(module, is_package)
    problems = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and private(node.attr)
            and node.value.id in bound
        ):
            target = bound[node.value.id]
            if (ROOT / (target.replace(".", "/") + ".py")).exists() and (
                target.rpartition(".")[0] != mine
            ):
                problems.append(f"{module}:{node.lineno} uses {target}.{node.attr}")
    return problems


def journal_problems(module: str, tree: ast.AST) -> list[str]:
    """Journal bytes outside the journal: its file name, or a record line's tag as a literal
    (``b"A "``, ``"H "``, ``f"D {…}"``, a pattern ``^A ``)."""
    if module == JOURNAL:
        return []
    problems = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Constant) and isinstance(node.value, str | bytes)):
            continue
        value = node.value
        text = value.decode("latin-1") if isinstance(value, bytes) else value
        bare = text.removeprefix("^")
        # Text literals start with "A " often ("A resource …"): only an exact tag counts there.
        tagged = (
            bare.startswith(RECORD_TAGS)
            if isinstance(value, bytes) or bare != text
            else text in RECORD_TAGS
        )
        if "journal.rdfp" in text or tagged or bare.startswith(("(A|D)", "[AD]")):
            problems.append(f"{module}:{node.lineno} has journal syntax {value!r}")
    return problems


def sources() -> list[tuple[str, ast.AST, bool]]:
    """Every module of dialogue_kg/ and webapp/, parsed."""
    found = []
    for top in ("dialogue_kg", "webapp"):
        for path in sorted((ROOT / top).rglob("*.py")):
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            found.append((module_name(path), tree, path.name == "__init__.py"))
    return found


@pytest.fixture(scope="module")
def parsed() -> list[tuple[str, ast.AST, bool]]:
    """The project's modules, parsed once for every check."""
    return sources()


def test_layers_are_kept(parsed: list[tuple[str, ast.AST, bool]]) -> None:
    problems, used = [], set()
    for module, tree, is_package in parsed:
        for imp in imports(module, tree, is_package):
            found = layer_problems(imp)
            if found and (imp.module, imp.target) in EXCEPTIONS:
                used.add((imp.module, imp.target))
            else:
                problems += found
    assert problems == []
    assert set(EXCEPTIONS) - used == set(), "exceptions no longer needed: remove them"


def test_no_private_names_across_packages(parsed: list[tuple[str, ast.AST, bool]]) -> None:
    problems = []
    for module, tree, is_package in parsed:
        for imp in imports(module, tree, is_package):
            problems += private_problems(imp, is_package)
        problems += private_attribute_problems(module, tree, is_package)
    assert problems == []


def test_only_the_journal_knows_its_bytes(parsed: list[tuple[str, ast.AST, bool]]) -> None:
    problems = []
    for module, tree, _ in parsed:
        problems += journal_problems(module, tree)
    assert problems == []


@pytest.mark.parametrize(
    ("module", "source", "expected"),
    [
        ("dialogue_kg.core.archive", "import webapp", "never imports the web app"),
        ("dialogue_kg.core.archive", "from dialogue_kg.read import describe", "core is below"),
        ("dialogue_kg.namespaces", "def f():\n    from .cli import main", "ground is below"),
        ("dialogue_kg.write.bulk", "from dialogue_kg.read.describe import x", "read and write"),
        ("dialogue_kg.read.search", "from ..core.archive import _apply", "takes ['_apply']"),
        ("dialogue_kg.read.search", "from dialogue_kg.core import archive\narchive._a", "uses"),
        ("dialogue_kg.write.audit", 'LINE = b"A <s> <p> <o> ."', "journal syntax"),
        ("dialogue_kg.write.audit", 'x = line.startswith("H ")', "journal syntax"),
        ("webapp.record", 'x = f"D {quad} ."', "journal syntax"),
        ("webapp.record", 'open(d / "journal.rdfp", "rb")', "journal syntax"),
    ],
)
def test_the_checks_catch(module: str, source: str, expected: str) -> None:
    tree = ast.parse(source)
    found = [p for imp in imports(module, tree, False) for p in layer_problems(imp)]
    found += [p for imp in imports(module, tree, False) for p in private_problems(imp, False)]
    found += private_attribute_problems(module, tree, False)
    found += journal_problems(module, tree)
    assert any(expected in p for p in found), found


@pytest.mark.parametrize(
    ("module", "source"),
    [
        ("webapp.api", "from dialogue_kg.core.archive import Archive"),
        ("dialogue_kg.cli.query", "from .common import _query_text"),
        ("dialogue_kg.analysis.plots", 'marker = "D"'),
        ("dialogue_kg.write.editing", 'tag = b"A"'),
        ("dialogue_kg.read.describe", 'text = "A resource with no label"'),
    ],
)
def test_the_checks_allow(module: str, source: str) -> None:
    tree = ast.parse(source)
    found = [p for imp in imports(module, tree, False) for p in layer_problems(imp)]
    found += [p for imp in imports(module, tree, False) for p in private_problems(imp, False)]
    found += journal_problems(module, tree)
    assert found == []
