"""What comes in besides one product typed into a form: a catalog file read row by row (``catalog``),
uploaded archives and typed paths confined to the folders allowed (``uploads``), the bundled sample
products (``samples``), and a shopper's spoken question turned into text (``speech``). Cleaning one
product's text, photos and clips is ``engine.ingest``."""
