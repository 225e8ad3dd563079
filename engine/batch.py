"""Deprecated: moved to engine.workflows.batch. This alias keeps old imports working."""
import importlib, sys
sys.modules[__name__] = importlib.import_module("engine.workflows.batch")
