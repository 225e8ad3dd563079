"""Deprecated: moved to engine.encoders.photo_labels. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.encoders.photo_labels")
