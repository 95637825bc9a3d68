#!/usr/bin/python3
"""Write PyTorch reference fixtures for the attention and Transformer layers.

Same format as tools/make_torch_fixtures.py (whose helpers this script imports), in a folder of
their own, test/fixtures/torch/transformer/:
  <case>.safetensors, <case>.json   one `module` case each (see test/fixtures/torch/README.md)
  index.json                         the cases
  state_dict_transformer.safetensors a torch nn.Transformer state dict under its own keys
                                     (loaded by the tests with loadWeightsInto), with
  state_dict_transformer.json        the constructor arguments

Conventions of these cases:
  - masks are stored as I32 (1 = masked) when torch got a bool mask, as F32 (0 / -inf or any
    additive value) when it got a float one; the JSON `inputs` says which;
  - returned attention weights are stored as `output.weights` but detached in torch, so they take
    part in the loss value and not in any gradient (attentive's weights carry no gradient);
  - dropout is 0 everywhere, layers are in train mode (torch's fast inference path is not taken).

Usage:
  /usr/bin/python3 tools/make_transformer_fixtures.py            write the fixtures
  /usr/bin/python3 tools/make_transformer_fixtures.py --check    confirm a fresh generation is byte-identical
"""

import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch  # noqa: E402
import torch.nn as nn  # noqa: E402

from make_torch_fixtures import (  # noqa: E402
    DEFAULT_OUT, FORMAT, Case, dump_json, encode_safetensors, module_case, randn, seed_for,
)

OUT = os.path.join(DEFAULT_OUT, "transformer")


def bool_padding(n, s, pads):
    """[n, s] int32, the last pads[b] keys of row b set (1 = padding)."""
    m = torch.zeros(n, s, dtype=torch.int32)
    for b, p in enumerate(pads):
        if p:
            m[b, s - p:] = 1
    return m


def causal_bool(n):
    return torch.triu(torch.ones(n, n, dtype=torch.int32), diagonal=1)


def as_mask(t, kind):
    return t.bool() if kind == "bool" else t


def mha_case(name, desc, args, make, shapes, masks, need_weights=True, average=True, batch_first=False):
    """masks: {attn_mask|key_padding_mask: (tensor, 'bool'|'float')}."""
    def inputs():
        out = [(n, randn(*s), True, f"{n} {list(s)}") for n, s in shapes]
        for k, (t, kind) in masks.items():
            out.append((k, t, False, f"{kind} mask"))
        return out

    def forward(m, i):
        kw = {k: as_mask(i[k], kind) for k, (_, kind) in masks.items()}
        o, w = m(i["query"], i["key"], i["value"], need_weights=need_weights, average_attn_weights=average, **kw)
        outs = [("output", o)]
        if need_weights:
            outs.append(("output.weights", w.detach()))
        return outs

    notes = {"masks": {k: kind for k, (_, kind) in masks.items()}, "need_weights": need_weights,
             "average_attn_weights": average, "batch_first": batch_first}
    return module_case(name, desc, "torch.nn.MultiheadAttention", args, make, inputs, forward, notes=notes)


def mha_cases():
    out = []
    E, H, L, S, N = 8, 2, 5, 6, 3
    torch.manual_seed(seed_for("mha_bool_masks"))
    out.append(mha_case(
        "mha_bool_masks", "self-attention, bool causal attn_mask [L,L] + bool key_padding_mask [N,L], weights averaged",
        {"embed_dim": E, "num_heads": H}, lambda: nn.MultiheadAttention(E, H),
        [("query", (L, N, E)), ("key", (L, N, E)), ("value", (L, N, E))],
        {"attn_mask": (causal_bool(L), "bool"), "key_padding_mask": (bool_padding(N, L, [0, 1, 2]), "bool")}))
    torch.manual_seed(seed_for("mha_float_masks"))
    out.append(mha_case(
        "mha_float_masks", "cross-attention, batch_first, float attn_mask [N*H,L,S] + bool key padding, per-head weights",
        {"embed_dim": E, "num_heads": H, "batch_first": True}, lambda: nn.MultiheadAttention(E, H, batch_first=True),
        [("query", (N, L, E)), ("key", (N, S, E)), ("value", (N, S, E))],
        {"attn_mask": (randn(N * H, L, S), "float"), "key_padding_mask": (bool_padding(N, S, [2, 0, 1]), "bool")},
        average=False, batch_first=True))
    torch.manual_seed(seed_for("mha_float_padding"))
    out.append(mha_case(
        "mha_float_padding", "cross-attention with a float key_padding_mask [N,S] (0 / -inf) only",
        {"embed_dim": E, "num_heads": H}, lambda: nn.MultiheadAttention(E, H),
        [("query", (L, N, E)), ("key", (S, N, E)), ("value", (S, N, E))],
        {"key_padding_mask": (bool_padding(N, S, [1, 3, 0]).float() * -1e9, "float")}))
    torch.manual_seed(seed_for("mha_kdim_vdim"))
    out.append(mha_case(
        "mha_kdim_vdim", "kdim 5, vdim 7 (separate q/k/v_proj_weight), no bias, 4 heads, no mask",
        {"embed_dim": E, "num_heads": 4, "kdim": 5, "vdim": 7, "bias": False},
        lambda: nn.MultiheadAttention(E, 4, kdim=5, vdim=7, bias=False),
        [("query", (L, N, E)), ("key", (S, N, 5)), ("value", (S, N, 7))], {}))
    torch.manual_seed(seed_for("mha_unbatched"))
    out.append(mha_case(
        "mha_unbatched", "unbatched 2-D inputs [L,E], [S,E], bool attn_mask [L,S], no weights",
        {"embed_dim": E, "num_heads": H}, lambda: nn.MultiheadAttention(E, H),
        [("query", (L, E)), ("key", (S, E)), ("value", (S, E))],
        {"attn_mask": ((torch.rand(L, S) < 0.3).to(torch.int32) * torch.tensor([0, 1, 1, 1, 1, 1], dtype=torch.int32), "bool")},
        need_weights=False))
    return out


def layer_args(norm_first, activation, batch_first):
    return {"d_model": 8, "nhead": 2, "dim_feedforward": 16, "dropout": 0.0, "activation": activation,
            "norm_first": norm_first, "batch_first": batch_first}


def encoder_layer_case(name, norm_first, activation, batch_first):
    args = layer_args(norm_first, activation, batch_first)
    N, L = 3, 5
    shape = (N, L, 8) if batch_first else (L, N, 8)

    def inputs():
        return [("src", randn(*shape), True, f"src {list(shape)}"),
                ("src_key_padding_mask", bool_padding(N, L, [0, 2, 1]), False, "bool [N, L]")]

    def forward(m, i):
        return [("output", m(i["src"], src_key_padding_mask=i["src_key_padding_mask"].bool()))]

    return module_case(name, f"TransformerEncoderLayer {'pre' if norm_first else 'post'}-LN {activation}, key padding",
                       "torch.nn.TransformerEncoderLayer", args, lambda: nn.TransformerEncoderLayer(**args), inputs, forward)


def decoder_layer_case(name, norm_first, activation, batch_first):
    args = layer_args(norm_first, activation, batch_first)
    N, T, S = 3, 4, 6
    tshape = (N, T, 8) if batch_first else (T, N, 8)
    mshape = (N, S, 8) if batch_first else (S, N, 8)

    def inputs():
        return [("tgt", randn(*tshape), True, f"tgt {list(tshape)}"),
                ("memory", randn(*mshape), True, f"memory {list(mshape)}"),
                ("tgt_mask", nn.Transformer.generate_square_subsequent_mask(T), False, "float causal [T, T]"),
                ("memory_key_padding_mask", bool_padding(N, S, [1, 0, 3]), False, "bool [N, S]")]

    def forward(m, i):
        return [("output", m(i["tgt"], i["memory"], tgt_mask=i["tgt_mask"],
                             memory_key_padding_mask=i["memory_key_padding_mask"].bool()))]

    return module_case(name, f"TransformerDecoderLayer {'pre' if norm_first else 'post'}-LN {activation}, causal + memory padding",
                       "torch.nn.TransformerDecoderLayer", args, lambda: nn.TransformerDecoderLayer(**args), inputs, forward)


def transformer_args(norm_first, activation):
    return {"d_model": 8, "nhead": 2, "num_encoder_layers": 2, "num_decoder_layers": 2, "dim_feedforward": 16,
            "dropout": 0.0, "activation": activation, "batch_first": True, "norm_first": norm_first}


def transformer_case(name, norm_first, activation):
    args = transformer_args(norm_first, activation)
    N, S, T = 2, 5, 4

    def inputs():
        return [("src", randn(N, S, 8), True, "src [N, S, E]"), ("tgt", randn(N, T, 8), True, "tgt [N, T, E]"),
                ("tgt_mask", nn.Transformer.generate_square_subsequent_mask(T), False, "float causal [T, T]"),
                ("src_key_padding_mask", bool_padding(N, S, [0, 2]), False, "bool [N, S]"),
                ("memory_key_padding_mask", bool_padding(N, S, [0, 2]), False, "bool [N, S]")]

    def forward(m, i):
        return [("output", m(i["src"], i["tgt"], tgt_mask=i["tgt_mask"],
                             src_key_padding_mask=i["src_key_padding_mask"].bool(),
                             memory_key_padding_mask=i["memory_key_padding_mask"].bool()))]

    return module_case(name, f"nn.Transformer 2+2 layers, {'pre' if norm_first else 'post'}-LN {activation}, batch_first",
                       "torch.nn.Transformer", args, lambda: nn.Transformer(**args), inputs, forward)


def layer_cases():
    return [
        encoder_layer_case("encoder_layer_post_relu", False, "relu", False),
        encoder_layer_case("encoder_layer_pre_gelu", True, "gelu", True),
        decoder_layer_case("decoder_layer_post_gelu", False, "gelu", True),
        decoder_layer_case("decoder_layer_pre_relu", True, "relu", False),
        transformer_case("transformer_post_relu", False, "relu"),
        transformer_case("transformer_pre_gelu", True, "gelu"),
    ]


def state_dict_files():
    """A torch state dict saved under its own keys, plus one input/output pair to compare with."""
    args = transformer_args(False, "relu")
    c = Case("state_dict_transformer", "state_dict", "nn.Transformer state dict")
    m = nn.Transformer(**args).eval()
    src, tgt = randn(2, 5, 8), randn(2, 4, 8)
    with torch.no_grad():
        out = m(src, tgt, tgt_mask=nn.Transformer.generate_square_subsequent_mask(4))
    tensors = [(k, v.detach().clone()) for k, v in m.state_dict().items()]
    meta = {"format": FORMAT, "case": c.name, "torch": torch.__version__}
    io = encode_safetensors([("src", src), ("tgt", tgt), ("output", out)], meta)
    cfg = {"case": c.name, "args": args, "seed": c.seed, "torch": torch.__version__,
           "description": "state_dict_transformer.safetensors: torch nn.Transformer(**args).state_dict() under its own keys; "
                          "state_dict_transformer_io.safetensors: src, tgt and the eval-mode output with a causal tgt_mask"}
    return {"state_dict_transformer.safetensors": encode_safetensors(tensors, meta),
            "state_dict_transformer_io.safetensors": io,
            "state_dict_transformer.json": dump_json(cfg)}


def build_all():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    torch.use_deterministic_algorithms(True)
    cases = mha_cases() + layer_cases()
    files = {}
    for name, cfg, blob in cases:
        cfg = dict(cfg)
        cfg["format"] = FORMAT
        cfg["torch"] = torch.__version__
        files[f"{name}.safetensors"] = blob
        files[f"{name}.json"] = dump_json(cfg)
    files.update(state_dict_files())
    files["index.json"] = dump_json({
        "format": FORMAT, "torch": torch.__version__, "generator": "tools/make_transformer_fixtures.py",
        "cases": [{"case": n, "type": cfg["type"], "description": cfg["description"],
                   "safetensors": f"{n}.safetensors", "json": f"{n}.json"} for n, cfg, _ in cases],
    })
    return files


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default=OUT)
    ap.add_argument("--check", action="store_true")
    a = ap.parse_args()
    files = build_all()
    if a.check:
        bad = [f for f, b in files.items()
               if not os.path.exists(os.path.join(a.out, f)) or open(os.path.join(a.out, f), "rb").read() != b]
        for f in bad:
            print("PROBLEM: differs from a fresh generation:", f)
        print(f"checked {len(files)} files")
        sys.exit(1 if bad else 0)
    os.makedirs(a.out, exist_ok=True)
    for f, b in files.items():
        tmp = os.path.join(a.out, f + ".tmp")
        with open(tmp, "wb") as fh:
            fh.write(b)
        os.replace(tmp, os.path.join(a.out, f))
    print(f"wrote {len(files)} files to {a.out}")


if __name__ == "__main__":
    main()
