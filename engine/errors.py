"""Deprecated: moved to engine.core.errors. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.core.errors")
