"""A fusion method's writer: its adapter merged into the layers it adapts, every other layer shared with the base."""
from __future__ import annotations

import copy

import pytest
import torch

pytestmark = pytest.mark.slow


def test_merged_writer_equals_peft_merge_and_shares_the_rest():
    from peft import set_peft_model_state_dict
    from peft.tuners.lora import LoraLayer

    from engine.conditioning import load_conditioned
    from engine.conditioning.lora import add_lora, merged_sharing
    from engine.conditioning.model import adapted_weights
    from engine.models.language import load_language_model, model_source

    base = load_language_model("smollm2-135m", "cpu", precision="float32")
    adapter = load_conditioned("film", "cpu").lora
    assert adapter, "the shipped film checkpoint has a LoRA adapter"
    rank = 4
    writer = merged_sharing(base.model, adapted_weights(model_source(base.name), adapter), rank, adapter, lambda l: l)

    reference = add_lora(copy.deepcopy(base.model), rank)  # PEFT's own merge, on a whole copy
    set_peft_model_state_dict(reference, adapter)
    for module in reference.modules():
        if isinstance(module, LoraLayer):
            module.merge()
    ids = base.chat_ids([{"role": "user", "content": "Write a title for a blue cotton towel, 500 gsm."}])
    with torch.inference_mode():
        ours, peft = writer(ids).logits, reference(ids).logits
        plain = base.model(ids).logits
    assert torch.allclose(ours, peft, atol=1e-5)
    assert not torch.allclose(ours, plain, atol=1e-3)  # the adapter does change the writer ...
    layer, own = base.model.model.layers[3], writer.model.layers[3]
    assert own.mlp is layer.mlp and own.self_attn.k_proj is layer.self_attn.k_proj  # ... and shares the rest
    assert own.self_attn.q_proj is not layer.self_attn.q_proj
    assert writer.lm_head is base.model.lm_head and writer.model.embed_tokens is base.model.model.embed_tokens
