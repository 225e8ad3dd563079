"""Deprecated: moved to engine.core.paths. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.core.paths")
