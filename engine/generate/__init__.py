"""Generators for every output of the studio: copy, ad creatives and video."""
