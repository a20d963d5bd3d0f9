"""Train the demo ALBERT sentiment classifier shipped with the catalog, reproducibly, on CPU, in about a minute.

The shipped card (cards/demo-albert-sentiment.md) promises a model anyone can rebuild byte for byte:

    python -m generator.demo.train_albert --out cards/artifacts/demo_albert_sentiment_en.zip

run from the catalog's root (`make demo-model`; elsewhere pass --train and --eval), trains a sentencepiece
vocabulary and a small ALBERT from scratch on cards/data/demo_sentiment_train.csv (sentences the modelhub team
wrote), prints held-out accuracy on cards/data/demo_sentiment_eval.csv, and writes a Hugging Face
model directory zipped with fixed timestamps and order. Same data, settings and library versions give the same zip.
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from ..artifacts.cache import sha256_file

# Before torch is imported: one thread, so runs are deterministic and leave the other core to the rest of the build.
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")

# The shipped catalog's data, relative to the working folder (the catalog's root), never to this package.
DEFAULT_TRAIN = Path("cards") / "data" / "demo_sentiment_train.csv"
DEFAULT_EVAL = Path("cards") / "data" / "demo_sentiment_eval.csv"
LABELS = ("negative", "positive")  # index order of the classifier head
ZIP_TIMESTAMP = (1980, 1, 1, 0, 0, 0)  # the earliest time a zip can store: no build clock in the archive


@dataclass(frozen=True)
class Example:
    text: str
    label: str


@dataclass(frozen=True)
class TrainingSettings:
    """Everything that decides the trained weights; written into the model directory as training_settings.json."""

    seed: int = 20240601
    vocab_size: int = 1200  # an upper bound: sentencepiece stops at what the corpus supports (894 pieces)
    embedding_size: int = 32
    hidden_size: int = 96
    num_layers: int = 2
    num_heads: int = 4
    intermediate_size: int = 192
    max_length: int = 128  # max_position_embeddings, and the tokenizer's model_max_length
    epochs: int = 40
    batch_size: int = 16
    learning_rate: float = 2e-3
    weight_decay: float = 0.01
    warmup_fraction: float = 0.1
    dropout: float = 0.1
    max_steps: int | None = None  # stop early (tests use this for a quick run)


@dataclass
class TrainingReport:
    settings: TrainingSettings
    train_examples: int
    eval_examples: int
    steps: int
    seconds: float
    final_loss: float
    eval_accuracy: float
    parameters: int
    zip_path: Path | None = None
    zip_bytes: int = 0
    zip_sha256: str = ""
    per_label_accuracy: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict:
        data = asdict(self)
        data["zip_path"] = str(self.zip_path) if self.zip_path else None
        return data


def read_labelled_csv(path: str | Path, text_column: str = "text", label_column: str = "label") -> list[Example]:
    """Rows of a text,label CSV; a missing column or an unknown label is an error naming the file and line."""
    path = Path(path)
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = {text_column, label_column} - set(reader.fieldnames or ())
        if missing:
            raise ValueError(f"{path}: missing column(s) {', '.join(sorted(missing))}; expected {text_column},"
                             f"{label_column}")
        examples = []
        for row in reader:
            label = (row[label_column] or "").strip()
            if label not in LABELS:
                raise ValueError(f"{path}:{reader.line_num}: label {label!r} is not one of {', '.join(LABELS)}")
            examples.append(Example((row[text_column] or "").strip(), label))
    return examples


def train_sentencepiece(texts: Sequence[str], vocab_size: int) -> bytes:
    """A unigram sentencepiece model laid out like ALBERT's: <pad>=0, <unk>=1, [CLS]=2, [SEP]=3, [MASK]=4."""
    import sentencepiece as spm

    proto = io.BytesIO()
    spm.SentencePieceTrainer.train(
        sentence_iterator=iter([text.lower() for text in texts]), model_writer=proto, vocab_size=vocab_size,
        model_type="unigram", pad_id=0, unk_id=1, bos_id=-1, eos_id=-1, pad_piece="<pad>", unk_piece="<unk>",
        control_symbols=["[CLS]", "[SEP]", "[MASK]"], character_coverage=1.0, hard_vocab_limit=False,
        shuffle_input_sentence=False, num_threads=1, minloglevel=2,
    )
    return proto.getvalue()


def albert_tokenizer(spiece_proto: bytes, max_length: int):
    """transformers 5's AlbertTokenizer builds from (piece, score) pairs; a vocab_file argument would be ignored."""
    import sentencepiece as spm
    from transformers import AlbertTokenizer

    processor = spm.SentencePieceProcessor(model_proto=spiece_proto)
    pieces = [(processor.id_to_piece(i), float(processor.get_score(i))) for i in range(processor.get_piece_size())]
    return AlbertTokenizer(vocab=pieces, do_lower_case=True, model_max_length=max_length)


def build_model(settings: TrainingSettings, vocab_size: int):
    import torch
    from transformers import AlbertConfig, AlbertForSequenceClassification

    config = AlbertConfig(
        vocab_size=vocab_size, embedding_size=settings.embedding_size, hidden_size=settings.hidden_size,
        num_hidden_layers=settings.num_layers, num_attention_heads=settings.num_heads,
        intermediate_size=settings.intermediate_size, max_position_embeddings=settings.max_length,
        hidden_dropout_prob=settings.dropout, attention_probs_dropout_prob=settings.dropout,
        classifier_dropout_prob=settings.dropout, pad_token_id=0, bos_token_id=2, eos_token_id=3,
        id2label=dict(enumerate(LABELS)), label2id={label: i for i, label in enumerate(LABELS)},
        problem_type="single_label_classification",
    )
    torch.manual_seed(settings.seed)
    return AlbertForSequenceClassification(config)


def make_deterministic(seed: int) -> None:
    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(1)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:  # only allowed before any parallel work in this process (tests train twice)
        pass
    torch.use_deterministic_algorithms(True)


def train(model, tokenizer, examples: Sequence[Example], settings: TrainingSettings,
          on_step: Callable[[int, int, float], None] | None = None) -> tuple[int, float]:
    """Plain AdamW with linear warm-up and decay; returns (steps taken, last epoch's mean loss)."""
    import torch

    label_ids = torch.tensor([LABELS.index(example.label) for example in examples])
    encoded = tokenizer([example.text for example in examples], truncation=True, max_length=settings.max_length)
    batches_per_epoch = (len(examples) + settings.batch_size - 1) // settings.batch_size
    total = batches_per_epoch * settings.epochs
    if settings.max_steps is not None:
        total = min(total, settings.max_steps)
    optimizer = torch.optim.AdamW(model.parameters(), lr=settings.learning_rate, weight_decay=settings.weight_decay)
    warmup = max(1, int(total * settings.warmup_fraction))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer, lambda step: min((step + 1) / warmup, max(0.0, (total - step) / max(1, total - warmup))))
    order = torch.Generator().manual_seed(settings.seed)
    model.train()
    step, epoch_loss = 0, float("nan")
    while step < total:
        losses = []
        for batch in torch.randperm(len(examples), generator=order).split(settings.batch_size):
            if step >= total:
                break
            features = tokenizer.pad({"input_ids": [encoded["input_ids"][i] for i in batch],
                                      "attention_mask": [encoded["attention_mask"][i] for i in batch]},
                                     return_tensors="pt")
            output = model(**features, labels=label_ids[batch])
            output.loss.backward()
            torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
            optimizer.step()
            schedule.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(output.loss.detach().item())
            step += 1
            if on_step:
                on_step(step, total, losses[-1])
        epoch_loss = sum(losses) / len(losses)
    model.eval()
    return step, epoch_loss


def predict(model, tokenizer, texts: Sequence[str], max_length: int, batch_size: int = 64) -> list[str]:
    import torch

    labels: list[str] = []
    with torch.inference_mode():
        for start in range(0, len(texts), batch_size):
            features = tokenizer(list(texts[start:start + batch_size]), truncation=True, max_length=max_length,
                                 padding=True, return_tensors="pt")
            labels += [LABELS[i] for i in model(**features).logits.argmax(-1).tolist()]
    return labels


def save_model_directory(model, tokenizer, spiece_proto: bytes, settings: TrainingSettings, folder: Path) -> None:
    """save_pretrained (safetensors) plus the sentencepiece model, so older transformers can load it too."""
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()  # our own progress bar is the one that means something
    model.save_pretrained(folder, safe_serialization=True)
    tokenizer.save_pretrained(folder)
    (folder / "spiece.model").write_bytes(spiece_proto)
    (folder / "training_settings.json").write_text(
        json.dumps({"script": "generator/demo/train_albert.py", **asdict(settings)}, indent=2, sort_keys=True)
        + "\n", encoding="utf-8")


def write_deterministic_zip(folder: Path, zip_path: Path) -> None:
    """Zip a directory's files in sorted order with fixed timestamps and modes; written atomically."""
    zip_path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{zip_path.name}.", dir=zip_path.parent)
    os.close(handle)
    try:
        with zipfile.ZipFile(temporary, "w") as archive:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                info = zipfile.ZipInfo(path.relative_to(folder).as_posix(), date_time=ZIP_TIMESTAMP)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.create_system = 3  # unix, so external_attr means the same everywhere
                info.external_attr = 0o644 << 16
                archive.writestr(info, path.read_bytes(), compresslevel=9)
        os.replace(temporary, zip_path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def build_demo_model(train_csv: Path, eval_csv: Path, out: Path | None, settings: TrainingSettings = TrainingSettings(),
                     model_dir: Path | None = None,
                     on_step: Callable[[int, int, float], None] | None = None) -> TrainingReport:
    """Train, evaluate, save and zip; the one entry point the command line and the tests share."""
    started = time.perf_counter()
    make_deterministic(settings.seed)
    train_set = read_labelled_csv(train_csv)
    eval_set = read_labelled_csv(eval_csv)
    spiece = train_sentencepiece([example.text for example in train_set], settings.vocab_size)
    tokenizer = albert_tokenizer(spiece, settings.max_length)
    model = build_model(settings, len(tokenizer))
    steps, loss = train(model, tokenizer, train_set, settings, on_step)
    predicted = predict(model, tokenizer, [example.text for example in eval_set], settings.max_length)
    gold = [example.label for example in eval_set]
    correct = [p == g for p, g in zip(predicted, gold)]
    per_label = {label: sum(c for c, g in zip(correct, gold) if g == label) / max(1, gold.count(label))
                 for label in LABELS}
    report = TrainingReport(
        settings=settings, train_examples=len(train_set), eval_examples=len(eval_set), steps=steps, seconds=0.0,
        final_loss=round(loss, 6), eval_accuracy=sum(correct) / max(1, len(correct)),
        parameters=sum(p.numel() for p in model.parameters() if p.is_floating_point()),
        per_label_accuracy=per_label,
    )
    with tempfile.TemporaryDirectory(prefix="demo-albert-") as scratch:
        folder = model_dir or Path(scratch) / "model"
        folder.mkdir(parents=True, exist_ok=True)
        save_model_directory(model, tokenizer, spiece, settings, folder)
        if out is not None:
            write_deterministic_zip(folder, out)
            report.zip_path, report.zip_bytes, report.zip_sha256 = out, out.stat().st_size, sha256_file(out)
    report.seconds = round(time.perf_counter() - started, 2)
    return report


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m generator.demo.train_albert", description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="the zip to write")
    parser.add_argument("--train", type=Path, default=DEFAULT_TRAIN,
                        help="training CSV with text,label columns (default: %(default)s in the working folder)")
    parser.add_argument("--eval", type=Path, default=DEFAULT_EVAL,
                        help="held-out CSV with text,label columns (default: %(default)s in the working folder)")
    parser.add_argument("--model-dir", type=Path, help="also keep the unzipped model directory here")
    parser.add_argument("--epochs", type=int, help="override the number of epochs")
    parser.add_argument("--max-steps", type=int, help="stop after this many optimizer steps (quick trial runs)")
    parser.add_argument("--seed", type=int, help="override the seed")
    parser.add_argument("--json", action="store_true", help="print the training report as JSON")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = _arguments(argv)
    settings = TrainingSettings()
    overrides = {"epochs": args.epochs, "max_steps": args.max_steps, "seed": args.seed}
    settings = replace(settings, **{k: v for k, v in overrides.items() if v is not None})
    for path in (args.train, args.eval):
        if not path.is_file():
            print(f"error: {path}: no such file; pass --train/--eval with text,label CSV files", file=sys.stderr)
            return 2
    try:
        if args.quiet or args.json:
            report = build_demo_model(args.train, args.eval, args.out, settings, args.model_dir)
        else:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            with Progress(TextColumn("training ALBERT"), BarColumn(), MofNCompleteColumn(),
                          TextColumn("loss {task.fields[loss]:.4f}"), TimeElapsedColumn()) as progress:
                task = progress.add_task("train", total=None, loss=float("nan"))

                def on_step(step: int, total: int, loss: float) -> None:
                    progress.update(task, completed=step, total=total, loss=loss)

                report = build_demo_model(args.train, args.eval, args.out, settings, args.model_dir, on_step)
    except ValueError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_dict(), indent=2, default=str))
    else:
        print(f"trained on {report.train_examples} sentences, {report.steps} steps, {report.seconds:.1f} s, "
              f"{report.parameters:,} parameters")
        print(f"held-out accuracy: {report.eval_accuracy:.4f} on {report.eval_examples} sentences "
              + ", ".join(f"{label} {value:.3f}" for label, value in report.per_label_accuracy.items()))
        if report.zip_path:
            print(f"wrote {report.zip_path} ({report.zip_bytes:,} bytes, sha256 {report.zip_sha256})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
