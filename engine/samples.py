"""Deprecated: moved to engine.inputs.samples. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.inputs.samples")
