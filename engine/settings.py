"""Deprecated: moved to engine.core.settings. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.core.settings")
