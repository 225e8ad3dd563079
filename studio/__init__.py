"""Gradio studio: a thin UI over ``engine.Studio``. No model code, no tensor math here."""
