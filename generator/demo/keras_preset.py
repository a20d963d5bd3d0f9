"""Build the tiny ALBERT preset that stands in for ``albert_base_en_uncased`` when the Keras page's examples run.

The published preset (11.7M parameters) lives on Kaggle, which the sandbox never reaches. This script builds a
Keras Hub preset of the same architecture and layout, small enough to commit, from nothing but the sentences below
(written by the modelhub team): a sentencepiece vocabulary of about 50 pieces, a 2-layer ALBERT backbone with
seeded random weights, a 2-class head and the text-classifier preprocessor. It is untrained: it exists so that
``from_preset``, ``fit`` and ``predict`` run for real, offline, not to classify anything.

    python -m generator.demo.keras_preset --out cards/artifacts/albert_base_en_uncased_standin.zip

Same keras, keras-hub, sentencepiece and torch versions give the same zip, byte for byte (fixed seeds, one thread,
``date_saved`` pinned, files zipped in sorted order with fixed timestamps).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "torch")  # before keras is imported
os.environ.setdefault("OMP_NUM_THREADS", "1")

from ..artifacts.cache import sha256_file  # noqa: E402
from .train_albert import write_deterministic_zip  # noqa: E402

PRESET_NAME = "albert_base_en_uncased"  # the name the Keras page's examples load; the handle comes from keras-hub
DATE_SAVED = "2026-01-01@00:00:00"  # metadata.json would otherwise carry the build clock

# Written for this preset by the modelhub team; lower-cased by the tokenizer like the published uncased vocabulary.
SENTENCES = (
    "The quick brown fox jumped over the sleeping dog.",
    "I forgot my homework on the kitchen table again.",
    "The bus was late, so we walked to the station.",
    "She reads a short story every night before bed.",
    "Our team fixed the broken build before lunch.",
    "The new phone has a bright screen and a weak battery.",
    "He planted tomatoes and beans in the small garden.",
    "The museum opens at nine and closes at five.",
    "We cooked soup with carrots, onions and fresh herbs.",
    "The river was cold, but the children swam anyway.",
    "My brother plays the piano better than I do.",
    "The film was long, yet nobody left the room.",
    "Rain fell all day and the streets were quiet.",
    "The library lends books, games and old maps.",
    "A small cat slept in the sun near the window.",
    "They painted the fence white before the party.",
)


@dataclass(frozen=True)
class PresetSettings:
    """Everything that decides the preset's bytes; written into it as build_settings.json."""

    seed: int = 20261201
    vocab_size: int = 50  # an upper bound: sentencepiece keeps what the sentences support
    num_layers: int = 2
    num_heads: int = 2
    hidden_dim: int = 16
    embedding_dim: int = 8
    intermediate_dim: int = 32
    max_sequence_length: int = 64
    sequence_length: int = 64  # the preprocessor's padding length
    num_classes: int = 2  # the saved head; from_preset(num_classes=4) builds a fresh one, as for the real preset


def train_vocabulary(sentences: Sequence[str], vocab_size: int) -> bytes:
    """A unigram sentencepiece model with ALBERT's special pieces: <pad>=0, <unk>=1, [CLS]=2, [SEP]=3, [MASK]=4."""
    import sentencepiece as spm

    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([s.lower() for s in sentences]), model_writer=proto, vocab_size=vocab_size,
        model_type="unigram", pad_id=0, unk_id=1, bos_id=2, eos_id=3, pad_piece="<pad>", unk_piece="<unk>",
        bos_piece="[CLS]", eos_piece="[SEP]", user_defined_symbols=["[MASK]"], character_coverage=1.0,
        hard_vocab_limit=False, shuffle_input_sentence=False, num_threads=1, minloglevel=2,
    )
    return proto.getvalue()


def build_preset(folder: Path, settings: PresetSettings = PresetSettings()) -> int:
    """Write the preset's files into ``folder``; returns the backbone's parameter count."""
    import keras
    import keras_hub
    import torch

    torch.set_num_threads(1)
    keras.utils.set_random_seed(settings.seed)
    tokenizer = keras_hub.models.AlbertTokenizer(proto=train_vocabulary(SENTENCES, settings.vocab_size))
    backbone = keras_hub.models.AlbertBackbone(
        vocabulary_size=tokenizer.vocabulary_size(), num_layers=settings.num_layers, num_heads=settings.num_heads,
        num_groups=1, num_inner_repetitions=1, embedding_dim=settings.embedding_dim, hidden_dim=settings.hidden_dim,
        intermediate_dim=settings.intermediate_dim, max_sequence_length=settings.max_sequence_length,
    )
    preprocessor = keras_hub.models.AlbertTextClassifierPreprocessor(
        tokenizer=tokenizer, sequence_length=settings.sequence_length)
    classifier = keras_hub.models.AlbertTextClassifier(backbone=backbone, preprocessor=preprocessor,
                                                       num_classes=settings.num_classes)
    folder.mkdir(parents=True, exist_ok=True)
    # The whole task: keras-hub probes task.json, task.weights.h5, preprocessor.json and model.weights.h5, and
    # offline a file that is absent is a failed request, not a "no such file".
    classifier.save_to_preset(str(folder))
    metadata_path = folder / "metadata.json"
    metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
    metadata["date_saved"] = DATE_SAVED
    metadata_path.write_text(json.dumps(metadata, indent=4, sort_keys=True) + "\n", encoding="utf-8")
    (folder / "build_settings.json").write_text(
        json.dumps({"script": "generator/demo/keras_preset.py", "stands_in_for": PRESET_NAME, **asdict(settings)},
                   indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return int(backbone.count_params())


def build_zip(out: Path, settings: PresetSettings = PresetSettings()) -> tuple[int, str]:
    """Build the preset and zip it reproducibly at ``out``; returns (parameters, sha256 of the zip)."""
    with tempfile.TemporaryDirectory(prefix="keras-preset-") as scratch:
        folder = Path(scratch) / PRESET_NAME
        parameters = build_preset(folder, settings)
        write_deterministic_zip(folder, out)
    return parameters, sha256_file(out)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m generator.demo.keras_preset", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the zip to write (e.g. "
                        "cards/artifacts/albert_base_en_uncased_standin.zip)")
    args = parser.parse_args(argv)
    parameters, digest = build_zip(args.out)
    print(f"wrote {args.out} ({args.out.stat().st_size:,} bytes, {parameters:,} parameters, sha256 {digest})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
