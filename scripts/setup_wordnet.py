#!/usr/bin/env python
"""Install WordNet 3.0 for nltk (METEOR needs it) from the Debian packages, offline.

``nltk.download`` cannot reach its server here, but Debian's ``wordnet-base`` and
``wordnet-sense-index`` ship the same WordNet 3.0 database under /usr/share/wordnet.
nltk wants it as ``<nltk_data>/corpora/wordnet/`` plus a ``lexnames`` file that Debian
does not ship, so this script copies the files (copies, not symlinks, so the data dir
survives being moved or mounted elsewhere) and writes ``lexnames``.

Usage: python scripts/setup_wordnet.py [TARGET_DIR]
TARGET_DIR defaults to $MCS_CACHE_DIR/nltk_data (MCS_CACHE_DIR defaults to
~/.cache/merchant-content-studio), the directory engine.scores adds to nltk.data.path.
Stdlib only, so it runs before the virtualenv has nltk.
"""
from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

SOURCE = Path(os.environ.get("WORDNET_SOURCE", "/usr/share/wordnet"))

# Every file nltk's WordNetCorpusReader opens, except lexnames (generated below).
FILES = (
    "cntlist.rev",
    "index.sense",
    "index.adj", "index.adv", "index.noun", "index.verb",
    "data.adj", "data.adv", "data.noun", "data.verb",
    "adj.exc", "adv.exc", "noun.exc", "verb.exc",
)

# The 45 lexicographer files of WordNet 3.0 in file-number order (lexnames(5WN)); the last
# column is the syntactic category (1 noun, 2 verb, 3 adjective, 4 adverb). nltk indexes this
# list with the lex_filenum of each synset, so the order matters.
LEXNAMES = (
    ("adj.all", 3), ("adj.pert", 3), ("adv.all", 4), ("noun.Tops", 1), ("noun.act", 1),
    ("noun.animal", 1), ("noun.artifact", 1), ("noun.attribute", 1), ("noun.body", 1),
    ("noun.cognition", 1), ("noun.communication", 1), ("noun.event", 1), ("noun.feeling", 1),
    ("noun.food", 1), ("noun.group", 1), ("noun.location", 1), ("noun.motive", 1),
    ("noun.object", 1), ("noun.person", 1), ("noun.phenomenon", 1), ("noun.plant", 1),
    ("noun.possession", 1), ("noun.process", 1), ("noun.quantity", 1), ("noun.relation", 1),
    ("noun.shape", 1), ("noun.state", 1), ("noun.substance", 1), ("noun.time", 1),
    ("verb.body", 2), ("verb.change", 2), ("verb.cognition", 2), ("verb.communication", 2),
    ("verb.competition", 2), ("verb.consumption", 2), ("verb.contact", 2), ("verb.creation", 2),
    ("verb.emotion", 2), ("verb.motion", 2), ("verb.perception", 2), ("verb.possession", 2),
    ("verb.social", 2), ("verb.stative", 2), ("verb.weather", 2), ("adj.ppl", 3),
)
LICENSE = Path("/usr/share/doc/wordnet-base/copyright")


def default_target() -> Path:
    cache = os.environ.get("MCS_CACHE_DIR") or Path.home() / ".cache" / "merchant-content-studio"
    return Path(cache) / "nltk_data"


def lexnames_text() -> str:
    return "".join(f"{i:02d}\t{name}\t{cat}\n" for i, (name, cat) in enumerate(LEXNAMES))


def is_installed(wordnet_dir: Path) -> bool:
    return all((wordnet_dir / name).is_file() and (wordnet_dir / name).stat().st_size > 0
               for name in (*FILES, "lexnames"))


def install(target: Path) -> Path:
    """Copy WordNet into ``target/corpora/wordnet``; returns that folder. Idempotent."""
    wordnet_dir = target / "corpora" / "wordnet"
    if is_installed(wordnet_dir):
        print(f"WordNet already installed in {wordnet_dir}")
        return wordnet_dir
    missing = [name for name in FILES if not (SOURCE / name).is_file()]
    if missing:
        sys.exit(
            f"{SOURCE}: missing {', '.join(missing)} "
            "(accepted: Debian packages wordnet-base and wordnet-sense-index; "
            "apt-get install wordnet-base wordnet-sense-index)"
        )
    # Build in a sibling folder and rename at the end, so an interrupted run never leaves a
    # half-copied corpus that is_installed() would accept.
    staging = wordnet_dir.with_name("wordnet.partial")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name in FILES:
        shutil.copyfile(SOURCE / name, staging / name)
    (staging / "lexnames").write_text(lexnames_text())
    if LICENSE.is_file():
        shutil.copyfile(LICENSE, staging / "LICENSE")
    shutil.rmtree(wordnet_dir, ignore_errors=True)
    staging.rename(wordnet_dir)
    print(f"WordNet 3.0 installed in {wordnet_dir}")
    return wordnet_dir


def main(argv: list[str]) -> None:
    if len(argv) > 1 or (argv and argv[0] in ("-h", "--help")):
        sys.exit(__doc__)
    install(Path(argv[0]).expanduser() if argv else default_target())


if __name__ == "__main__":
    main(sys.argv[1:])
