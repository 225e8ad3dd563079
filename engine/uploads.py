"""Deprecated: moved to engine.inputs.uploads. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.inputs.uploads")
