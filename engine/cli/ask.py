"""``python -m engine ask PRODUCT.json --audio QUESTION.wav``: a spoken question, transcribed offline
(engine.inputs.speech), then answered like a typed one. The ask subcommand itself lives in engine.workflows.qa; this
adds ``--audio`` to it."""
from __future__ import annotations

import sys
from pathlib import Path


def add_audio_option(sub) -> None:
    """Give the ``ask`` parser ``--audio FILE`` (questions become optional when it is given)."""
    parser = sub.choices.get("ask")
    if parser is None:
        return
    parser.add_argument("--audio", type=Path, default=None, metavar="FILE",
                        help="a spoken question (WAV, MP3, OGG, WebM, M4A, FLAC; 0.3-30 s), transcribed offline "
                             "and asked after any typed questions")
    for action in parser._actions:
        if action.dest == "questions":
            action.nargs = "*"  # with --audio, no typed question is needed
    answer = parser.get_default("func")

    def ask_with_audio(args) -> int:
        if args.audio is not None:
            from engine.inputs.speech import transcribe

            heard = transcribe(args.audio)
            print(f"heard: {heard}", file=sys.stderr)
            args.questions = [*args.questions, heard]
        if not args.questions:
            raise ValueError("no question: give one or more questions, or --audio FILE with a spoken one")
        return answer(args)

    parser.set_defaults(func=ask_with_audio)
