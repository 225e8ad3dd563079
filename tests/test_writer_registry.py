"""One registry of copy methods (engine.writers): the template, zero-shot and every fusion method, created by name."""
from __future__ import annotations

import pytest

from engine.core.errors import StudioError
from engine.fusion import FUSION_METHODS
from engine.core.settings import Settings
from engine.writers import (WRITERS, FusionWriter, Writer, create_writer, is_baseline, list_writers, writer_choice,
                            writer_info, writer_label)


def test_every_method_is_registered_with_a_label_and_a_description():
    assert list_writers()[:2] == ["template", "none"]
    assert set(list_writers(family="fusion")) == set(FUSION_METHODS)
    assert list_writers(baseline=True) == ["template", "none"]
    for name in list_writers():
        info = writer_info(name)
        assert info.name == name and info.label.strip() and info.description.strip()
        assert info.description != "a trained fusion method", name  # each has its own words
    assert writer_label("film") == "FiLM" and writer_label("template") == "Rule-based template"
    assert writer_choice("film", recommended="film") == (
        "FiLM — your photos and clip adjust how your text is read before writing (recommended)")
    assert writer_label("my-run") == "my-run"  # a checkpoint trained under another name keeps its name
    assert writer_choice("my-run") == "my-run — a trained fusion method"


@pytest.mark.parametrize("name", list_writers())
def test_every_registered_method_can_be_created(name):
    writer = create_writer(name, device="cpu")
    assert isinstance(writer, Writer) and writer.name == name and isinstance(writer, writer_info(name).cls)
    assert writer.uses_language_model == (name != "template")
    assert is_baseline(name) == (name in ("template", "none"))


def test_an_unknown_method_is_refused_naming_the_known_ones():
    with pytest.raises(StudioError) as caught:
        create_writer("nope")
    message = str(caught.value)
    assert "'nope'" in message and all(name in message for name in list_writers())


def test_the_old_names_read_the_registry():
    from engine import pipeline
    from engine.evaluation import BASELINES as EVALUATION_BASELINES
    from engine.fusion.descriptions import BASELINES, METHOD_DESCRIPTIONS, is_baseline as old_is_baseline
    from engine.fusion.descriptions import method_label, method_name

    assert BASELINES == ("template", "none") and old_is_baseline("none") and not old_is_baseline("film")
    assert METHOD_DESCRIPTIONS == {n: (i.label, i.description) for n, i in WRITERS.items()}
    assert method_name("gmu") == "GMU" and method_label("lmf") == writer_choice("lmf")
    assert pipeline.BASELINES == EVALUATION_BASELINES == {"template": "Rule-based template", "none": "Zero-shot prompt"}
    assert list(pipeline.copy_methods())[-2:] == ["none", "template"]


def test_the_studio_makes_its_writers_through_the_registry(monkeypatch):
    import engine.pipeline as pipeline
    from engine.pipeline import Studio

    made = []
    real = pipeline.create_writer

    def spy(name, **parts):
        made.append(name)
        return real(name, **parts)

    monkeypatch.setattr(pipeline, "create_writer", spy)
    studio = Studio(device="cpu")
    for name in list_writers():
        writer = studio.writer(name)
        assert type(writer) is writer_info(name).cls and writer.device == "cpu"
    assert made == list_writers()
    trained_elsewhere = studio.writer("my-run")  # an evaluation's checkpoint folder: loaded by that name
    assert type(trained_elsewhere) is FusionWriter and trained_elsewhere.name == "my-run"


def test_the_studio_writes_the_template_through_its_writer(monkeypatch):
    from engine.pipeline import Studio
    from engine.core.product import Product
    from engine.writers.template import TemplateWriter

    called = []
    real = TemplateWriter.write
    monkeypatch.setattr(TemplateWriter, "write", lambda self, *a: called.append(self.name) or real(self, *a))
    product = Product(title="Chaz Hoodie", category="Men/Tops/Hoodies", attributes={"material": "Cotton"})
    result = Studio(device="cpu").generate(product, Settings(fusion="template"), store=False)
    assert called == ["template"] and result.copy.title and result.checks["title"]["tries"] == 1


def test_the_language_model_parts_come_from_the_studio(monkeypatch):
    """The zero-shot writer and the fields a fusion prefix was not trained on use the Studio's language model
    (a test, or the server's waiting Studio, can replace it); the old private names still answer."""
    from engine.pipeline import Studio

    studio = Studio(device="cpu")
    base = object()
    monkeypatch.setattr(studio, "language_model", lambda settings: base)
    assert studio.model_for(None, Settings(fusion="none")) == (base, None, None)
    assert studio._generator(None, Settings(fusion="none")) == (base, None, None)  # deprecated alias
    lm, prefix = object(), object()
    assert studio.model_for_field("description", Settings(fusion="film"), lm, prefix) == (lm, prefix)
    assert studio.model_for_field("bullets", Settings(fusion="film"), lm, prefix) == (base, None)
    assert studio._writer("bullets", Settings(fusion="film"), lm, prefix) == (base, None)  # deprecated alias
    with pytest.raises(StudioError, match="without a language model"):
        studio.model_for(None, Settings(fusion="template"))


def test_the_waiting_studio_waits_on_the_public_name():
    from studio.serve import WarmingStudio

    assert WarmingStudio.model_for is not WarmingStudio.__mro__[1].model_for
    assert "_generator" not in vars(WarmingStudio)
