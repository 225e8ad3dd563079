"""The layers, read from the source: no import cycle, engine/ never imports gradio, argparse only in engine/cli/,
engine/core/ imports nothing above it, workflows sit on top; every alias left at a module's old path resolves
to the module it names, and nothing in the repo uses an old path."""
from __future__ import annotations

import ast
import importlib
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _alias_target(path: Path) -> str | None:
    """The module an alias file names (``sys.modules[__name__] = importlib.import_module("engine.x.y")``),
    or None for a real module."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if (isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Subscript)
                and ast.unparse(node.targets[0]) == "sys.modules[__name__]"
                and isinstance(node.value, ast.Call) and ast.unparse(node.value.func) == "importlib.import_module"):
            return node.value.args[0].value
    return None


def _aliases() -> dict[str, str]:
    """Old module path -> the module it moved to, for every alias file under engine/."""
    found = {}
    for path in (ROOT / "engine").rglob("*.py"):
        target = _alias_target(path)
        if target:
            found[".".join(path.relative_to(ROOT).with_suffix("").parts)] = target
    return found


def _modules() -> dict[str, Path]:
    """Every real module of engine/ and studio/ (alias files left at old paths are not modules of their own)."""
    found = {}
    for package in ("engine", "studio"):
        for path in (ROOT / package).rglob("*.py"):
            if _alias_target(path):
                continue
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            found[name.removesuffix(".__init__")] = path
    return found


def _imports(path: Path, modules: dict[str, Path], nodes=None) -> set[str]:
    """Every module of ours that ``path`` imports, at the top or inside a function ("from engine.core import
    product" names the module engine.core.product, not the package). ``nodes``: only these
    statements of it."""
    out = set()
    for node in nodes if nodes is not None else ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            subs = [f"{node.module}.{a.name}" for a in node.names if f"{node.module}.{a.name}" in modules]
            out.update(subs if len(subs) == len(node.names) else [node.module, *subs])
        elif isinstance(node, ast.Import):
            out.update(a.name for a in node.names)
    return {name for name in out if name in modules}


def _cycle(graph: dict[str, set[str]]) -> list[str]:
    """One import cycle of ``graph`` (module -> modules it imports), or [] when there is none."""
    state: dict[str, str] = {}  # "open" while on the path, "done" after

    def visit(node: str, path: list[str]) -> list[str]:
        state[node] = "open"
        for target in sorted(graph.get(node, ())):
            if state.get(target) == "open":
                return path[path.index(target):] + [target] if target in path else [node, target]
            if target not in state:
                found = visit(target, path + [target])
                if found:
                    return found
        state[node] = "done"
        return []

    for start in sorted(graph):
        if start not in state:
            found = visit(start, [start])
            if found:
                return found
    return []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert _cycle({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_no_import_cycles_in_engine_or_studio():
    modules = _modules()
    graph = {name: _imports(path, modules) - {name} for name, path in modules.items()}
    assert _cycle(graph) == []


def test_engine_never_imports_gradio_and_argparse_lives_in_the_cli():
    for name, path in _modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
        imported |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module}
        if name.startswith("engine"):
            assert "gradio" not in imported, name
            assert "argparse" not in imported or name.startswith("engine.cli"), name


def _top_level_imports(path: Path, modules: dict[str, Path]) -> set[str]:
    """The modules of ours that ``path`` imports when it is imported (not inside a function)."""
    found, stack = [], list(ast.parse(path.read_text(encoding="utf-8")).body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append(node)
        elif not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            stack.extend(ast.iter_child_nodes(node))
    return _imports(path, modules, found)


def test_core_imports_nothing_above_it():
    """engine/core/ (value types, errors, paths) is the bottom layer: importing it loads no other part of engine."""
    modules = _modules()
    for name, path in modules.items():
        if name.startswith("engine.core"):
            above = {m for m in _top_level_imports(path, modules) if not m.startswith("engine.core") and m != "engine"}
            assert not above, f"{name} imports {sorted(above)} at import time"


def test_workflows_sit_on_top():
    """Only the CLI, the studio and offline evaluation use a workflow; the Studio and the layers below it never do."""
    modules = _modules()
    allowed = ("engine.workflows", "engine.cli", "engine.evaluation", "studio")
    for name, path in modules.items():
        if not name.startswith(allowed):
            users = {m for m in _imports(path, modules) if m.startswith("engine.workflows")}
            assert not users, f"{name} imports {sorted(users)}"


def test_every_alias_resolves_to_the_module_it_names():
    """An old import path keeps working: the same module object (private names, monkeypatching, pickles)."""
    aliases = _aliases()
    assert {old.rpartition(".")[2] for old in aliases} >= {"batch", "history", "product", "photo_labels"}
    for old, new in aliases.items():
        path = ROOT / (new.replace(".", "/") + ".py")
        assert path.is_file() and _alias_target(path) is None, f"{old} names {new}, which is not a module"
        assert importlib.import_module(old) is importlib.import_module(new), old
        parent, _, leaf = old.rpartition(".")
        assert getattr(sys.modules[parent], leaf) is sys.modules[new], old
        assert f"moved to {new}" in (ROOT / (old.replace(".", "/") + ".py")).read_text(encoding="utf-8"), old


def test_nothing_in_the_repo_uses_an_old_path():
    """The aliases are for code outside the repo: our imports, monkeypatch targets, docstrings and comments
    name the new paths (``engine.workflows.batch``, ``engine/workflows/batch.py``)."""
    aliases = _aliases()
    names = "|".join(old.removeprefix("engine.") for old in aliases if old.count(".") == 1)
    old_path = re.compile(rf"(?<![\w./])engine[./]({names})\b|\bfrom engine import ({names})\b")
    alias_files = {ROOT / (old.replace(".", "/") + ".py") for old in aliases}
    found = []
    for folder in ("engine", "studio", "tests", "scripts", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in alias_files:
                continue
            for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
                if old_path.search(line):
                    found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()}")
    launch = ROOT / "launch.py"
    found += [f"launch.py: {line.strip()}" for line in launch.read_text(encoding="utf-8").splitlines() if old_path.search(line)]
    assert not found, "\n".join(found)


# -- no module uses another module's private names ------------------------------------------------------
# Each entry says why a private name of someone else is still read. Keep it short: a name another module
# needs is made public instead.
PRIVATE_IMPORTS_ALLOWED: set[tuple[str, str, str]] = set()
# Private attributes of other libraries that offer no public way to do the same thing.
PRIVATE_ATTRIBUTES_ALLOWED = {
    "_actions",  # argparse: the only way to loosen an existing positional's nargs (engine/cli/ask.py)
    "_pre_quantization_dtype",  # transformers: removed so that save_pretrained accepts a GGUF-loaded config
    "_attn_implementation",  # transformers: which attention a model runs (the lean decoder matches sdpa only)
    "_exception_map",  # nltk: WordNet's irregular forms, with no public accessor
    "_weight_int8pack_mm",  # torch: the int8 weight-only kernel a benchmark measures
}


def _private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def private_uses(path: Path, module: str) -> list[str]:
    """Where ``path`` (module ``module``) imports another module's ``_name``, or reads ``x._name`` (also
    ``getattr(x, "_name")``) on anything but ``self`` or ``cls``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            source = node.module or ""
            if node.level:  # a relative import: resolve it against this module's package
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                source = ".".join(package + ([node.module] if node.module else []))
            for alias in node.names:
                allowed = any(module.startswith(who) and source == where and alias.name == name
                              for who, where, name in PRIVATE_IMPORTS_ALLOWED)
                if _private(alias.name) and not allowed:
                    found.append(f"{node.lineno}: from {source} import {alias.name}")
        elif isinstance(node, ast.Attribute) and _private(node.attr):
            own = isinstance(node.value, ast.Name) and node.value.id in ("self", "cls")
            if not own and node.attr not in PRIVATE_ATTRIBUTES_ALLOWED:
                found.append(f"{node.lineno}: {ast.unparse(node)}")
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("getattr", "setattr")
              and len(node.args) >= 2 and isinstance(node.args[1], ast.Constant)
              and isinstance(node.args[1].value, str) and _private(node.args[1].value)):
            if not (isinstance(node.args[0], ast.Name) and node.args[0].id in ("self", "cls")):
                found.append(f"{node.lineno}: {ast.unparse(node)}")
    return found


def test_the_private_name_finder_finds_them(tmp_path):
    path = tmp_path / "m.py"
    path.write_text("from engine.scores.claims import _base, wordnet\nimport os\n"
                    "def f(lm, self):\n    self._ok = lm._lock\n    return os._exit, getattr(lm, '_x'), lm.__class__\n")
    assert [line.split(":")[0] for line in private_uses(path, "engine.x.m")] == ["1", "4", "5", "5"]


def test_no_module_uses_another_modules_private_names():
    """engine/, studio/, scripts/, benchmarks/ and launch.py use each other's public names only (``Studio._writer`` from a
    workflow, ``lm._batcher`` from the decoder were such calls): a name another module needs is public."""
    found = []
    for folder in ("engine", "studio", "scripts", "benchmarks"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            module = ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
            found += [f"{path.relative_to(ROOT)}:{use}" for use in private_uses(path, module)]
    found += [f"launch.py:{use}" for use in private_uses(ROOT / "launch.py", "launch")]
    assert not found, "\n".join(found)
