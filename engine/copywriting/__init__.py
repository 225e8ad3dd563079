"""Product copy: prompts and streaming (``copy``), grounded decoding, candidates and their re-ranking,
the checks that fix names and reject flagged fields, bullets from the facts, keywords, and the
rule-based template baseline."""
