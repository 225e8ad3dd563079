"""Training on a tiny real catalog: cleaning, examples without leaks, a few real steps, resume, loading."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import torch

from engine.training import TrainConfig, train
from engine.training.data import clean_reference_description, split_of

LUMA = Path(__file__).resolve().parents[2] / "shared" / "data" / "luma" / "products.jsonl"
if not LUMA.exists():
    LUMA = Path("/work/shared/data/luma/products.jsonl")


def test_flipkart_boilerplate_is_cleaned():
    raw = ("Key Features of Elegance Polyester Curtain Floral Curtain,Elegance Curtain (213 cm) Price: Rs. 899 "
           "This curtain enhances the look of the interiors. This curtain is made from 100% polyester fabric. "
           "This curtain is made from 100% polyester fabric. Buy it online for Rs. 899 only at Flipkart.com. "
           "Free Shipping. Cash On Delivery!,Specifications of Elegance Curtain General Brand Elegance")
    cleaned = clean_reference_description(raw)
    assert cleaned == ("This curtain enhances the look of the interiors. "
                       "This curtain is made from 100% polyester fabric.")
    assert clean_reference_description("Buy D-Link DSL-2520U only for Rs. 1449 from Flipkart.com. "
                                       "Only Genuine Products. Free Shipping.") == ""
    assert clean_reference_description("A perfectly fine description of eight words here.", flagged_boilerplate=True) == ""
    # the bare "Buy <product> at Rs." line left when the crawl lost the price
    assert clean_reference_description("Buy Raymond Abstract Double Blanket Pink at Rs.") == ""
    # a features list with no prose after it is the spec sheet again, not a description
    assert clean_reference_description(
        "Key Features of Fs Mini Klub Baby Boy's Woven Casual Shirt Fit: Regular Fabric: 100% Cotton "
        "Suitable For: Western Wear Sleeve: Half Sleeve,Specifications of Fs Mini Klub Shirt General") == ""


def test_flipkart_second_layout_is_cleaned():
    """'<title>\\n Price: Rs. N\\n<text>\\n<text again>' (flipkart-text: 327 of 945 products)."""
    title = "Tapyti Casual Short Sleeve Solid Women's Top"
    prose = "White front lace yoke with elasticated sleeve top. Team it up with a pair of jeans"
    raw = f"{title}\n                         Price: Rs. 681\n\t\t\t\t\n\t\t\t{prose}\n{prose}"
    assert clean_reference_description(raw, title) == prose
    # as training and evaluation read it: ingest has taken "Price: Rs. 681" out as an attribute line
    from engine.ingest import ingest
    from engine.core.product import Product

    ingested = ingest(Product(title=title, description=raw)).product
    assert "Price" not in ingested.description
    assert clean_reference_description(ingested.description, ingested.title) == prose
    # the second copy cut short by the crawl goes too
    assert clean_reference_description(f"{title}\n Price: Rs. 681\n\t{prose}\n{prose[:30]}", title) == prose
    # "<title> (variant) Price: Rs. N <text>": the name with its variant is no description
    assert clean_reference_description(
        "Angelfish Silk Potali Potli (Multicolor) Price: Rs. 399 Made by silk fabric with fancy lace and "
        "a stylish handle.,Specifications of Angelfish Silk Potali Potli", "Angelfish Silk Potali Potli") == \
        "Made by silk fabric with fancy lace and a stylish handle."
    # "... For Only Rs. N Online in India." is one shop sentence, not "... Rs." plus a kept "N Online in India."
    assert clean_reference_description(
        "Kaaryah Formal Sleeveless Solid Women's Top - Buy White Kaaryah Formal Sleeveless Solid Women's Top "
        "For Only Rs. 1390 Online in India. Shop Online For Apparels. Huge Collection of Branded Clothes "
        "Only at Flipkart.com", "Kaaryah Formal Sleeveless Solid Women's Top") == ""


def test_training_never_sees_a_held_out_target():
    """Variants of one product (same title, other colour) and shared descriptions: the copy a
    held-out product is validated on is no training target, whatever the product id."""
    from engine.models.language import load_language_model
    from engine.training.data import ProductRecord, held_out_targets
    from engine.training.trainer import make_examples

    def record(pid, title, description):
        messages = [{"role": "system", "content": "You write clear copy."},
                    {"role": "user", "content": "Product facts:\nBrand: Alisha\n\nWrite one product title."}]
        return ProductRecord(id=pid, catalog="c/products.jsonl", split=split_of(pid),
                             references={"title": title, "description": description},
                             text_features={t: torch.ones(384) for t in ("title", "description")},
                             photo_features=torch.zeros(0, 1280), messages={t: messages for t in ("title", "description")},
                             source_text={t: "" for t in ("title", "description")})

    assert split_of("p14") == "val" and split_of("p1") == split_of("p2") == "train"
    shared = "Soft cotton lycra cycling shorts in a pack of three for daily wear."
    records = [record("p14", "Alisha Solid Women's Cycling Shorts", shared),
               record("p1", "alisha  solid women's cycling shorts", "Another description of eight words or more here."),
               record("p2", "Alisha Printed Women's Cycling Shorts", shared)]
    assert held_out_targets(records)["title"] == {"alisha solid women's cycling shorts"}
    tokenizer = load_language_model("smollm2-135m", "cpu").tokenizer
    train = make_examples(records, tokenizer, TrainConfig(), "train")
    assert sorted((e.record.id, e.task) for e in train) == [("p1", "description"), ("p2", "title")]
    assert len(make_examples(records, tokenizer, TrainConfig(), "val")) == 2


def test_text_only_products_take_the_missing_photo_path(tmp_path):
    """flipkart-text has no photos: records carry no photo rows, the mask says so, and every
    row of a batch (augmented or not) reaches FiLM with text alone."""
    import random

    from engine.conditioning.model import ConditionedCopyModel, features_batch
    from engine.training.data import build_records
    from engine.training.trainer import Example, modality_row

    rows = [{"id": f"t{i}", "title": f"Alisha Solid Women's Cycling Shorts {i}", "images": [],
             "description": "Cycling shorts in cotton lycra, a pack of three, navy and red.",
             "category": "Clothing", "brand": "Alisha", "attributes": {"Fabric": "Cotton Lycra"}}
            for i in range(3)]
    path = tmp_path / "products.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    records = build_records([path], device="cpu", progress=False)
    assert len(records) == 3
    cfg = TrainConfig(modality_dropout=1.0, video_from_photos=1.0)  # every augmentation that could apply
    batch = []
    for record in records:
        assert record.photo_features.shape == (0, 1280)
        for rng in (None, random.Random(0)):
            row = modality_row(Example(record, "title", [], []), rng, cfg)
            assert row["mask"].tolist() == [True, False, False]
            assert row["text"].abs().sum() > 0 and row["image"].abs().sum() == 0
            batch.append(row)
    features, mask = features_batch(batch)
    prefix, _ = ConditionedCopyModel(fusion="film", lora_rank=0)(features, mask)
    assert torch.isfinite(prefix).all()


def test_title_task_hides_the_title_inside_the_description_too():
    from engine.ingest import ingest
    from engine.core.product import Product
    from engine.training.data import hidden_copy

    title = "Skmei DG0939-Red Sports Digital Watch - For Men, Boys"
    product = Product(title=title, description=f"{title} - Buy {title.upper()} online. Digital chronograph, alarm.",
                      bullets=[f"Made by the makers of the {title}"], attributes={"Type": "Digital"})
    hidden = hidden_copy(ingest(product), "title")
    assert hidden.product.title == ""
    assert title.lower() not in hidden.source_text().lower()
    assert "Digital chronograph, alarm." in hidden.product.description
    assert hidden_copy(ingest(product), "description").product.title == title


def test_compact_prompt_keeps_facts_and_drops_flags_and_price():
    from engine.conditioning.prompt import compact_messages
    from engine.models.language import load_language_model

    tokenizer = load_language_model("smollm2-135m", "cpu").tokenizer
    messages = [{"role": "system", "content": "You write playful product copy for Amazon."},
                {"role": "user", "content": "Product facts:\nCategory: Watches\nCompass: Yes\nStyle Code: DG0939-Red\n"
                                            "Price: 999 INR\nDial Color: Black, Red\n\nWrite one product title."}]
    system, user = compact_messages(messages, tokenizer)
    assert system["content"] == "Playful product copy."
    assert user["content"] == "Category: Watches\nStyle Code: DG0939-Red\nDial Color: Black, Red\n\nWrite the product title."


def test_split_is_fixed_by_product_id():
    assert split_of("MH06") == split_of("MH06")
    share = sum(split_of(f"p{i}") == "val" for i in range(2000)) / 2000
    assert 0.07 < share < 0.13


@pytest.fixture(scope="module")
def tiny_catalog(tmp_path_factory) -> Path:
    rows = [json.loads(line) for line in LUMA.read_text().splitlines()[:6]]
    for row in rows:  # one photo each keeps the test fast; absolute paths: the file moves
        row["images"] = [str(LUMA.parent / row["images"][0])]
    path = tmp_path_factory.mktemp("catalog") / "products.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture(scope="module")
def trained(tiny_catalog, tmp_path_factory):
    out = tmp_path_factory.mktemp("ckpt")
    cfg = TrainConfig(steps=2, batch_size=2, eval_every=1, val_percent=40, lora_rank=2, val_examples=2,
                      device="cpu", patience=5)
    results = train([tiny_catalog], ["gmu"], out, cfg, state_dir=out / "state", progress=False,
                     command="pytest")
    return out, cfg, results


def test_training_writes_a_small_checkpoint_with_provenance(trained):
    out, cfg, results = trained
    folder = out / "gmu"
    for name in ("config.json", "weights.safetensors", "adapter.safetensors", "loss.png",
                 "history.json", "PROVENANCE.md", "provenance.json"):
        assert (folder / name).exists(), name
    assert sum(f.stat().st_size for f in folder.glob("*.safetensors")) < 8 * 2**20
    validation = results["gmu"]["validation"]
    assert validation["loss"] > 0 and validation["examples"] > 0
    history = json.loads((folder / "history.json").read_text())
    assert [s for s, _ in history["val"]] == [1, 2]
    assert "pytest" in (folder / "PROVENANCE.md").read_text()


def test_rerun_resumes_from_state_instead_of_retraining(trained, tiny_catalog):
    out, cfg, results = trained
    again = train([tiny_catalog], ["gmu"], out, cfg, state_dir=out / "state", progress=False, command="pytest")
    assert again["gmu"]["training"]["steps_run"] == 2
    assert again["gmu"]["validation"]["loss"] == results["gmu"]["validation"]["loss"]


def test_fine_tuning_starts_from_the_trained_weights(trained, tiny_catalog, tmp_path):
    import copy
    from dataclasses import replace

    from engine.conditioning.lora import add_lora, lora_state
    from engine.conditioning.model import ConditionedCopyModel
    from engine.core.errors import StudioError
    from engine.models.language import load_language_model
    from engine.training.trainer import start_from

    out, cfg, _ = trained
    saved = ConditionedCopyModel.load(out / "gmu")
    model = ConditionedCopyModel(fusion="gmu", prefix_length=cfg.prefix_length, lora_rank=cfg.lora_rank)
    lm = add_lora(copy.deepcopy(load_language_model("smollm2-135m", "cpu", precision="float32").model), cfg.lora_rank).float()
    assert not torch.equal(model.state_dict()["mapping.scale"], saved.state_dict()["mapping.scale"])
    start_from(model, lm, out / "gmu", cfg)
    for key, value in saved.state_dict().items():
        assert torch.equal(model.state_dict()[key], value), key
    loaded = lora_state(lm)
    assert loaded.keys() == saved.lora.keys()
    assert all(torch.equal(loaded[k], saved.lora[k]) for k in loaded)
    with pytest.raises(StudioError, match="prefix_length"):
        start_from(ConditionedCopyModel(fusion="gmu", prefix_length=8, lora_rank=2), lm, out / "gmu", cfg)
    # the CLI path: one more step from the shipped weights, recorded in the provenance
    tuned = train([tiny_catalog], ["gmu"], tmp_path, replace(cfg, steps=1, init_from=str(out)),
                  state_dir=tmp_path / "state", progress=False, command="pytest")
    assert tuned["gmu"]["training"]["config"]["init_from"] == str(out)
    assert "Started from" in (tmp_path / "gmu" / "PROVENANCE.md").read_text()


def test_only_trained_methods_are_offered_and_load(trained, tiny_catalog):
    from engine.conditioning import available_methods, best_method, load_conditioned
    from engine.encoders import encode_product
    from engine.core.errors import StudioError
    from engine.ingest import ingest
    from engine.core.product import load_catalog

    out, _, _ = trained
    assert [m["name"] for m in available_methods(out)] == ["gmu"]
    assert best_method(out) == "gmu"
    with pytest.raises(StudioError, match="no trained checkpoint"):
        load_conditioned("tfn", "cpu", str(out))
    model = load_conditioned("gmu", "cpu", str(out))
    features = encode_product(ingest(load_catalog(tiny_catalog, limit=1)[0]), "cpu")
    prefix, contributions = model.prefix(features)
    assert prefix.shape == (1, 4, 576)
    assert sum(contributions.values()) == pytest.approx(1.0)
    assert contributions["video"] == 0.0  # no clip in this product
    # The served LM carries the merged adapter, not the shared base weights.
    from engine.models.language import load_language_model

    lm = model.language_model
    base = load_language_model("smollm2-135m", "cpu")
    assert lm.model is not base.model
    ids = lm.chat_ids([{"role": "system", "content": "You write clear copy. Use only facts."},
                       {"role": "user", "content": "Product facts:\nBrand: Luma\n\nWrite one product title."}])
    assert "Write the product title." in lm.tokenizer.decode(ids[0])
    text = lm.generate([{"role": "user", "content": "Product facts:\nBrand: Luma\n\nWrite one product title."}],
                       max_new_tokens=6, temperature=0.0, top_p=1.0, seed=0, prefix_embeds=prefix)
    assert isinstance(text, str)
    # Fields the prefix was trained on are written with it; bullets by the base LM, without it.
    from engine.pipeline import Studio
    from engine.core.settings import Settings

    studio = Studio(device="cpu")
    assert studio._writer("description", Settings(), lm, prefix) == (lm, prefix)
    writer, no_prefix = studio._writer("bullets", Settings(), lm, prefix)
    assert writer.model is base.model and no_prefix is None


def test_cli_methods_lists_trained(trained, capsys):
    from engine.cli import main

    out, _, _ = trained
    assert main(["methods", "--checkpoints", str(out)]) == 0
    assert "gmu" in capsys.readouterr().out


def test_cli_parses_train_and_evaluate():
    from engine.cli import build_parser

    args = build_parser().parse_args(["train", "a.jsonl", "b.jsonl", "--fusion", "all", "--out", "ckpt"])
    assert [str(p) for p in args.catalogs] == ["a.jsonl", "b.jsonl"] and args.fusion == "all"
    args = build_parser().parse_args(["evaluate", "a.jsonl", "--task", "description", "--methods",
                                      "template,none,gmu", "--out", "ev"])
    assert args.task == "description" and args.methods == "template,none,gmu"
