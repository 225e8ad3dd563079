"""Deprecated: moved to engine.core.interleave. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.core.interleave")
