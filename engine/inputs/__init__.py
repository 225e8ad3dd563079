"""What a merchant hands in besides one product typed into a form: a catalog file read row by row
(``catalog``), uploaded archives and typed paths confined to the folders allowed (``uploads``), and the
bundled sample products (``samples``). Cleaning one product's text, photos and clips is ``engine.ingest``."""
