"""LoRA on the LM's attention (PEFT), injected in place so the HF model class stays the same."""
from __future__ import annotations

import torch
from peft import LoraConfig, get_peft_model_state_dict, inject_adapter_in_model, set_peft_model_state_dict
from peft.tuners.lora import LoraLayer

TARGET_MODULES = ["q_proj", "v_proj"]


def add_lora(model: torch.nn.Module, rank: int) -> torch.nn.Module:
    config = LoraConfig(r=rank, lora_alpha=2 * rank, lora_dropout=0.0, target_modules=TARGET_MODULES)
    model = inject_adapter_in_model(config, model)
    for name, param in model.named_parameters():
        param.requires_grad_("lora_" in name)
    return model


def lora_state(model: torch.nn.Module) -> dict[str, torch.Tensor]:
    return {k: v.detach().cpu().clone() for k, v in get_peft_model_state_dict(model).items()}


def load_lora(model: torch.nn.Module, rank: int, state: dict[str, torch.Tensor], merge: bool = True) -> torch.nn.Module:
    """Inject, load and (for serving) merge: a merged model is a plain model again, as fast as the
    base and ready for the same float16 weights (engine.models.language.for_inference)."""
    model = add_lora(model, rank)
    set_peft_model_state_dict(model, state)
    for param in model.parameters():
        param.requires_grad_(False)
    if merge:
        wrapped = [(name, module) for name, module in model.named_modules() if isinstance(module, LoraLayer)]
        for name, module in wrapped:
            module.merge()
            parent_name, _, child = name.rpartition(".")
            setattr(model.get_submodule(parent_name) if parent_name else model, child, module.get_base_layer())
    return model
