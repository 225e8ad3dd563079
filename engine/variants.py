"""Deprecated: moved to engine.workflows.variants. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.workflows.variants")
