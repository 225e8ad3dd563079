"""Deprecated: moved to engine.inputs.catalog. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.inputs.catalog")
