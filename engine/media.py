"""Deprecated: moved to engine.storage.media. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.storage.media")
