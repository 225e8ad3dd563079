"""Core value types and leaf helpers: the product a merchant gives (``product``), how to write it
(``settings``), the errors every layer raises (``errors``), where files live (``paths``), running
streams side by side (``interleave``) and colour maths (``color``). Everything else in ``engine`` may
import these; at import time they import nothing from ``engine`` outside ``engine.core`` (only
``settings.default_fusion`` asks ``engine.conditioning``, late, for the trained default)."""
