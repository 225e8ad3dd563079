"""Copy methods, one registry: the template, the zero-shot prompt and every fusion method, created by name.

``create_writer("film")``, ``list_writers()``, ``writer_info("film").label`` / ``.description``. Importing
this package registers every method (one file per family: template, zero_shot, fusion).
"""
from engine.writers.registry import (RECOMMENDED, WRITERS, WriterInfo, create_writer, is_baseline, list_writers,
                                     register_writer, writer_choice, writer_info, writer_label)
from engine.writers.base import LM_FIELDS, Writer
from engine.writers import template, zero_shot, fusion  # noqa: E402,F401  (registration, in this order)
from engine.writers.fusion import FusionWriter

__all__ = ["RECOMMENDED", "WRITERS", "WriterInfo", "Writer", "FusionWriter", "LM_FIELDS", "create_writer",
           "is_baseline", "list_writers", "register_writer", "writer_choice", "writer_info", "writer_label"]
