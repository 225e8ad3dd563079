"""Model loading: the embedded offline defaults, and any Hugging Face id or local path."""
