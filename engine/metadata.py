"""Deprecated: moved to engine.storage.metadata. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.storage.metadata")
