"""Workflows built on ``engine.pipeline.Studio``, roughly one per studio tab or CLI command: catalog
runs (``batch``, on Ray ``distributed``) and their exports (``export``); method comparison
(``compare``) and leave-one-input-out (``ablation``); copy per shopper segment (``variants``) with
its ad lines (``adsets``); shopper questions answered from the merchant's facts (``qa``). They call
the Studio's public API and the layers below it; only ``engine.cli``, ``studio/`` and offline
evaluation import them, never ``pipeline`` or a layer below it."""
