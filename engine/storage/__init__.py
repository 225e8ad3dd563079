"""What was made, written and read back: the generation history in SQLite (``history``), a result's
images and videos written to a folder (``media``) with their settings embedded in the files
(``metadata``), so dropping a file back on the studio restores how it was made."""
