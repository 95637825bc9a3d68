#!/usr/bin/python3
"""Write PyTorch reference fixtures for the numerical parity tests.

Each case produces two files in test/fixtures/torch/:
  <case>.safetensors  tensors (inputs, parameters, buffers, outputs, upstream, gradients)
  <case>.json         the configuration needed to rebuild the computation
plus index.json listing every case. The format is described in
test/fixtures/torch/README.md.

Usage:
  /usr/bin/python3 tools/make_torch_fixtures.py            write the fixtures
  /usr/bin/python3 tools/make_torch_fixtures.py --check    re-read every file, validate
                                                           it, and confirm that a fresh
                                                           generation is byte-identical
  /usr/bin/python3 tools/make_torch_fixtures.py --out DIR  write somewhere else

Requires only torch (Debian: apt-get install -y python3-torch); the safetensors
files are written and read by hand so the `safetensors` package is not needed.
"""

import argparse
import json
import math
import os
import re
import struct
import sys
import zlib

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

FORMAT = "attentive-torch-fixture/1"
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(REPO, "test", "fixtures", "torch")


# ---------------------------------------------------------------------------
# safetensors, by hand
# ---------------------------------------------------------------------------

def _tensor_bytes(t):
    t = t.detach().cpu().contiguous()
    if t.dtype == torch.float32:
        return "F32", t.numpy().astype("<f4").tobytes()
    if t.dtype in (torch.int32, torch.int64):
        info = torch.iinfo(torch.int32)
        if t.numel() and (int(t.min()) < info.min or int(t.max()) > info.max):
            raise ValueError("integer tensor out of int32 range")
        return "I32", t.to(torch.int32).numpy().astype("<i4").tobytes()
    raise TypeError(f"unsupported dtype {t.dtype}")


def encode_safetensors(tensors, metadata):
    """tensors: list of (name, torch.Tensor) in file order."""
    header = {}
    chunks = []
    offset = 0
    for name, t in tensors:
        dtype, data = _tensor_bytes(t)
        header[name] = {
            "dtype": dtype,
            "shape": list(t.shape),
            "data_offsets": [offset, offset + len(data)],
        }
        chunks.append(data)
        offset += len(data)
    header["__metadata__"] = {k: str(v) for k, v in metadata.items()}
    hbytes = json.dumps(header, separators=(",", ":")).encode("utf-8")
    hbytes += b" " * ((8 - len(hbytes) % 8) % 8)
    return struct.pack("<Q", len(hbytes)) + hbytes + b"".join(chunks)


def decode_safetensors(blob):
    """Returns (metadata, {name: (dtype, shape, list_of_values)}) and validates layout."""
    import array

    if len(blob) < 8:
        raise ValueError("file shorter than 8 bytes")
    (n,) = struct.unpack("<Q", blob[:8])
    if n % 8 != 0:
        raise ValueError(f"header length {n} not a multiple of 8")
    header = json.loads(blob[8:8 + n].decode("utf-8"))
    data = blob[8 + n:]
    metadata = header.pop("__metadata__", {})
    out = {}
    spans = []
    for name, info in header.items():
        b, e = info["data_offsets"]
        shape = info["shape"]
        count = 1
        for d in shape:
            count *= d
        if e - b != 4 * count:
            raise ValueError(f"{name}: {e - b} bytes for shape {shape}")
        code = {"F32": "f", "I32": "i"}[info["dtype"]]
        arr = array.array(code)
        arr.frombytes(data[b:e])
        if sys.byteorder != "little":
            arr.byteswap()
        out[name] = (info["dtype"], shape, arr.tolist())
        spans.append((b, e))
    spans.sort()
    pos = 0
    for b, e in spans:
        if b != pos:
            raise ValueError("data regions are not contiguous")
        pos = e
    if pos != len(data):
        raise ValueError(f"data section is {len(data)} bytes, tensors cover {pos}")
    return metadata, out


# ---------------------------------------------------------------------------
# case builder
# ---------------------------------------------------------------------------

def seed_for(name):
    return zlib.crc32(name.encode("utf-8")) & 0x7FFFFFFF


class Case:
    def __init__(self, name, ctype, description):
        self.name = name
        self.seed = seed_for(name)
        torch.manual_seed(self.seed)
        self.tensors = []  # (name, tensor)
        self.names = set()
        self.config = {
            "case": name,
            "type": ctype,
            "description": description,
            "seed": self.seed,
        }

    def put(self, name, t):
        if name in self.names:
            raise KeyError(f"{self.name}: duplicate tensor {name}")
        self.names.add(name)
        t = t.detach().clone()
        if t.is_floating_point():
            t = t.to(torch.float32)
        self.tensors.append((name, t))

    def finish(self):
        self.config["tensors"] = {
            n: {"dtype": _tensor_bytes(t)[0], "shape": list(t.shape)} for n, t in self.tensors
        }
        meta = {"format": FORMAT, "case": self.name, "torch": torch.__version__}
        return self.name, self.config, encode_safetensors(self.tensors, meta)


def randn(*shape, scale=1.0):
    return torch.randn(*shape) * scale


def input_spec(t, meaning, requires_grad):
    return {
        "dtype": "F32" if t.is_floating_point() else "I32",
        "shape": list(t.shape),
        "requires_grad": requires_grad,
        "meaning": meaning,
    }


def module_case(name, description, torch_class, args, make_module, inputs, forward,
                mode="train", output_meanings=None, buffers_after=False, notes=None,
                setup=None):
    """Generic nn.Module case.

    inputs: callable returning a list of (tensor_name, tensor, requires_grad, meaning);
    it is called after the case has seeded the generator.
    forward(module, {name: tensor}) -> list of (output_name, tensor).
    loss = sum over outputs of sum(output * upstream).
    """
    c = Case(name, "module", description)
    module = make_module()
    if setup is not None:
        with torch.no_grad():
            setup(module)
    module.train(mode == "train")

    ins = {}
    c.config["inputs"] = {}
    for tname, t, rg, meaning in inputs():
        t = t.detach().clone()
        if rg:
            t.requires_grad_(True)
        ins[tname] = t
        c.config["inputs"][tname] = input_spec(t, meaning, rg)
        c.put(tname, t)

    params = list(module.named_parameters())
    for pname, p in params:
        c.put(f"param.{pname}", p)
    bufs = list(module.named_buffers())
    for bname, b in bufs:
        c.put(f"buffer.{bname}", b)

    outs = forward(module, ins)
    loss = torch.zeros(())
    for oname, o in outs:
        c.put(oname, o)
    for oname, o in outs:
        up = torch.randn(o.shape)
        uname = "upstream" + oname[len("output"):]
        c.put(uname, up)
        loss = loss + (o * up).sum()
    c.put("loss", loss)
    loss.backward()

    if buffers_after:
        for bname, b in module.named_buffers():
            c.put(f"buffer_after.{bname}", b)

    grads = []
    for tname, t in ins.items():
        if t.requires_grad:
            g = t.grad if t.grad is not None else torch.zeros_like(t)
            c.put(f"grad.{tname}", g)
            grads.append(f"grad.{tname}")
    for pname, p in params:
        g = p.grad if p.grad is not None else torch.zeros_like(p)
        c.put(f"grad.param.{pname}", g)
        grads.append(f"grad.param.{pname}")

    c.config.update({
        "torch_class": torch_class,
        "args": args,
        "mode": mode,
        "params": [f"param.{n}" for n, _ in params],
        "buffers": [f"buffer.{n}" for n, _ in bufs],
        "buffers_after": [f"buffer_after.{n}" for n, _ in bufs] if buffers_after else [],
        "outputs": {o: (output_meanings or {}).get(o, "") for o, _ in outs},
        "loss": {
            "kind": "upstream",
            "formula": "loss = sum_k sum(outputs[k] * upstreams[k]), upstream name = "
                       "'upstream' + output name without the leading 'output'",
        },
        "grads": grads,
    })
    if notes:
        c.config["notes"] = notes
    return c.finish()


# ---------------------------------------------------------------------------
# layers
# ---------------------------------------------------------------------------

def linear_cases():
    out = []
    args = {"in_features": 5, "out_features": 4, "bias": True}
    out.append(module_case(
        "linear", "nn.Linear(5, 4) on a [3,5] input", "torch.nn.Linear", args,
        lambda: nn.Linear(5, 4),
        lambda: [("input", randn(3, 5), True, "x [N, in_features]")],
        lambda m, i: [("output", m(i["input"]))],
        output_meanings={"output": "x @ weight^T + bias, [3,4]"}))
    out.append(module_case(
        "linear_3d", "nn.Linear(5, 4) on a [2,3,5] input", "torch.nn.Linear", args,
        lambda: nn.Linear(5, 4),
        lambda: [("input", randn(2, 3, 5), True, "x [B, T, in_features]")],
        lambda m, i: [("output", m(i["input"]))],
        output_meanings={"output": "x @ weight^T + bias, [2,3,4]"}))
    out.append(module_case(
        "bilinear", "nn.Bilinear(5, 3, 4)", "torch.nn.Bilinear",
        {"in1_features": 5, "in2_features": 3, "out_features": 4, "bias": True},
        lambda: nn.Bilinear(5, 3, 4),
        lambda: [("input1", randn(3, 5), True, "x1 [N, in1_features]"),
         ("input2", randn(3, 3), True, "x2 [N, in2_features]")],
        lambda m, i: [("output", m(i["input1"], i["input2"]))],
        output_meanings={"output": "y[n,k] = x1[n] @ weight[k] @ x2[n] + bias[k], [3,4]"}))
    return out


def embedding_cases():
    idx = torch.tensor([[1, 0, 3, 3, 9], [0, 7, 1, 3, 0]], dtype=torch.int64)
    return [module_case(
        "embedding", "nn.Embedding(10, 4, padding_idx=0), indices contain 0 and repeats",
        "torch.nn.Embedding",
        {"num_embeddings": 10, "embedding_dim": 4, "padding_idx": 0},
        lambda: nn.Embedding(10, 4, padding_idx=0),
        lambda: [("input", idx, False, "indices [2,5] (I32); 0 is the padding index")],
        lambda m, i: [("output", m(i["input"]))],
        output_meanings={"output": "weight[indices], [2,5,4]"},
        notes="PyTorch initialises the padding_idx row to zeros and never accumulates "
              "gradient into it, so grad.param.weight[0] is zero; repeated indices "
              "accumulate (row 3 appears three times, row 1 twice).")]


def _rnn_args(kind, input_size, hidden_size, num_layers, bidirectional, batch_first,
              nonlinearity=None):
    a = {"input_size": input_size, "hidden_size": hidden_size, "num_layers": num_layers,
         "bias": True, "batch_first": batch_first, "dropout": 0.0,
         "bidirectional": bidirectional}
    if kind == "RNN":
        a["nonlinearity"] = nonlinearity
    if kind == "LSTM":
        a["proj_size"] = 0
    return a


def _packed_forward(m, i, total_length, has_c):
    packed = pack_padded_sequence(i["input"], i["lengths"].to(torch.int64), batch_first=True,
                                  enforce_sorted=False)
    hx = None
    if "h0" in i:
        hx = (i["h0"], i["c0"]) if has_c else i["h0"]
    y, h = m(packed, hx)
    y, _ = pad_packed_sequence(y, batch_first=True, total_length=total_length)
    if has_c:
        return [("output", y), ("output.h_n", h[0]), ("output.c_n", h[1])]
    return [("output", y), ("output.h_n", h)]


RNN_NOTES = (
    "Parameter layout as in PyTorch: weight_ih_l{k}[_reverse] is [G*hidden, in], "
    "weight_hh_l{k}[_reverse] is [G*hidden, hidden], biases [G*hidden], with gate blocks "
    "stacked in PyTorch order (LSTM: i,f,g,o, G=4; GRU: r,z,n, G=3; RNN: G=1). "
    "h_n/c_n are [num_layers*num_directions, batch, hidden], index = layer*num_directions + "
    "direction. GRU: n = tanh(W_in x + b_in + r * (W_hn h + b_hn)).")

PACKED_NOTES = (
    " Packed: input is padded (batch_first) and the values past each length are random "
    "but must not influence anything; it goes through pack_padded_sequence(lengths, "
    "batch_first=True, enforce_sorted=False) -> module -> pad_packed_sequence(batch_first=True, "
    "total_length=T). output is zero past each length; h_n/c_n hold each sequence's state at "
    "its own last valid step (reverse direction: state after reading back to t=0); grad.input "
    "is zero past each length. Batch order of h_n is the original (unsorted) order.")


def rnn_cases():
    out = []
    hidden = 4

    # LSTM, 2 layers, bidirectional, packed
    lengths = torch.tensor([5, 3, 2], dtype=torch.int64)
    out.append(module_case(
        "lstm_2layer_bidir", "nn.LSTM(3, 4, num_layers=2, bidirectional, batch_first) on packed "
        "padded sequences, lengths [5,3,2]", "torch.nn.LSTM",
        _rnn_args("LSTM", 3, hidden, 2, True, True),
        lambda: nn.LSTM(3, hidden, num_layers=2, bidirectional=True, batch_first=True),
        lambda: [("input", randn(3, 5, 3), True, "x [B=3, T=5, input_size] padded, batch_first"),
         ("lengths", lengths, False, "valid lengths per batch row [B] (I32)")],
        lambda m, i: _packed_forward(m, i, 5, True),
        output_meanings={"output": "[B, T, 2*hidden], forward half then reverse half",
                         "output.h_n": "[num_layers*2, B, hidden]",
                         "output.c_n": "[num_layers*2, B, hidden]"},
        notes=RNN_NOTES + PACKED_NOTES + " No initial state (zeros)."))

    out.append(module_case(
        "lstm_1layer", "nn.LSTM(3, 4), time-major, given h0/c0", "torch.nn.LSTM",
        _rnn_args("LSTM", 3, hidden, 1, False, False),
        lambda: nn.LSTM(3, hidden),
        lambda: [("input", randn(5, 2, 3), True, "x [T=5, B=2, input_size] (batch_first=False)"),
         ("h0", randn(1, 2, hidden), True, "initial hidden [1, B, hidden]"),
         ("c0", randn(1, 2, hidden), True, "initial cell [1, B, hidden]")],
        lambda m, i: (lambda y, h: [("output", y), ("output.h_n", h[0]), ("output.c_n", h[1])])(
            *m(i["input"], (i["h0"], i["c0"]))),
        output_meanings={"output": "[T, B, hidden]", "output.h_n": "[1, B, hidden]",
                         "output.c_n": "[1, B, hidden]"},
        notes=RNN_NOTES))

    out.append(module_case(
        "lstm_cell", "nn.LSTMCell(3, 4), one step", "torch.nn.LSTMCell",
        {"input_size": 3, "hidden_size": hidden, "bias": True},
        lambda: nn.LSTMCell(3, hidden),
        lambda: [("input", randn(2, 3), True, "x [B, input_size]"),
         ("h0", randn(2, hidden), True, "h [B, hidden]"),
         ("c0", randn(2, hidden), True, "c [B, hidden]")],
        lambda m, i: (lambda h, c: [("output.h", h), ("output.c", c)])(
            *m(i["input"], (i["h0"], i["c0"]))),
        output_meanings={"output.h": "h' [B, hidden]", "output.c": "c' [B, hidden]"},
        notes="Gate order i,f,g,o in weight_ih [4*hidden, in] and weight_hh [4*hidden, hidden]."))

    out.append(module_case(
        "gru_1layer", "nn.GRU(3, 4), time-major, given h0", "torch.nn.GRU",
        _rnn_args("GRU", 3, hidden, 1, False, False),
        lambda: nn.GRU(3, hidden),
        lambda: [("input", randn(5, 2, 3), True, "x [T=5, B=2, input_size] (batch_first=False)"),
         ("h0", randn(1, 2, hidden), True, "initial hidden [1, B, hidden]")],
        lambda m, i: (lambda y, h: [("output", y), ("output.h_n", h)])(*m(i["input"], i["h0"])),
        output_meanings={"output": "[T, B, hidden]", "output.h_n": "[1, B, hidden]"},
        notes=RNN_NOTES))

    lengths = torch.tensor([2, 5, 3], dtype=torch.int64)
    out.append(module_case(
        "gru_2layer_bidir_packed", "nn.GRU(3, 4, num_layers=2, bidirectional, batch_first) on "
        "packed padded sequences, unsorted lengths [2,5,3], given h0", "torch.nn.GRU",
        _rnn_args("GRU", 3, hidden, 2, True, True),
        lambda: nn.GRU(3, hidden, num_layers=2, bidirectional=True, batch_first=True),
        lambda: [("input", randn(3, 5, 3), True, "x [B=3, T=5, input_size] padded, batch_first"),
         ("lengths", lengths, False, "valid lengths per batch row [B] (I32), not sorted"),
         ("h0", randn(4, 3, hidden), True, "initial hidden [num_layers*2, B, hidden]")],
        lambda m, i: _packed_forward(m, i, 5, False),
        output_meanings={"output": "[B, T, 2*hidden], forward half then reverse half",
                         "output.h_n": "[num_layers*2, B, hidden]"},
        notes=RNN_NOTES + PACKED_NOTES + " h0 is in the original batch order."))

    out.append(module_case(
        "gru_cell", "nn.GRUCell(3, 4), one step", "torch.nn.GRUCell",
        {"input_size": 3, "hidden_size": hidden, "bias": True},
        lambda: nn.GRUCell(3, hidden),
        lambda: [("input", randn(2, 3), True, "x [B, input_size]"),
         ("h0", randn(2, hidden), True, "h [B, hidden]")],
        lambda m, i: [("output", m(i["input"], i["h0"]))],
        output_meanings={"output": "h' [B, hidden]"},
        notes="Gate order r,z,n; n = tanh(W_in x + b_in + r * (W_hn h + b_hn)); "
              "h' = (1 - z) * n + z * h."))

    out.append(module_case(
        "rnn_tanh", "nn.RNN(3, 4, num_layers=2, tanh), time-major, given h0", "torch.nn.RNN",
        _rnn_args("RNN", 3, hidden, 2, False, False, "tanh"),
        lambda: nn.RNN(3, hidden, num_layers=2, nonlinearity="tanh"),
        lambda: [("input", randn(5, 2, 3), True, "x [T=5, B=2, input_size] (batch_first=False)"),
         ("h0", randn(2, 2, hidden), True, "initial hidden [num_layers, B, hidden]")],
        lambda m, i: (lambda y, h: [("output", y), ("output.h_n", h)])(*m(i["input"], i["h0"])),
        output_meanings={"output": "[T, B, hidden] (last layer)",
                         "output.h_n": "[num_layers, B, hidden]"},
        notes=RNN_NOTES))

    out.append(module_case(
        "rnn_cell", "nn.RNNCell(3, 4, tanh), one step", "torch.nn.RNNCell",
        {"input_size": 3, "hidden_size": hidden, "bias": True, "nonlinearity": "tanh"},
        lambda: nn.RNNCell(3, hidden, nonlinearity="tanh"),
        lambda: [("input", randn(2, 3), True, "x [B, input_size]"),
         ("h0", randn(2, hidden), True, "h [B, hidden]")],
        lambda m, i: [("output", m(i["input"], i["h0"]))],
        output_meanings={"output": "h' = tanh(W_ih x + b_ih + W_hh h + b_hh) [B, hidden]"}))
    return out


def _conv_args(cin, cout, k, stride, padding, dilation, groups, output_padding=None):
    a = {"in_channels": cin, "out_channels": cout,
         "kernel_size": list(k), "stride": list(stride), "padding": list(padding),
         "dilation": list(dilation), "groups": groups, "bias": True, "padding_mode": "zeros"}
    if output_padding is not None:
        a["output_padding"] = list(output_padding)
    return a


def conv_cases():
    out = []
    conv_note = "weight is [out_channels, in_channels/groups, kH, kW]; NCHW layout."
    tconv_note = ("weight is [in_channels, out_channels/groups, kH, kW] (PyTorch transposed "
                  "layout); out = (in-1)*stride - 2*padding + dilation*(k-1) + output_padding + 1.")

    def conv_case(name, desc, cls, args, ctor, shape, note):
        return module_case(
            name, desc, f"torch.nn.{cls.__name__}", args, ctor,
            lambda: [("input", randn(*shape), True, "x [N, C, H, W]")],
            lambda m, i: [("output", m(i["input"]))],
            output_meanings={"output": "[N, C_out, H_out, W_out]"}, notes=note)

    out.append(conv_case(
        "conv2d_basic", "Conv2d(3, 4, 3, stride 1, pad 1)", nn.Conv2d,
        _conv_args(3, 4, (3, 3), (1, 1), (1, 1), (1, 1), 1),
        lambda: nn.Conv2d(3, 4, 3, stride=1, padding=1), (2, 3, 6, 6), conv_note))
    out.append(conv_case(
        "conv2d_stride_pad_dilation", "Conv2d(3, 4, 3, stride 2, pad 2, dilation 2)", nn.Conv2d,
        _conv_args(3, 4, (3, 3), (2, 2), (2, 2), (2, 2), 1),
        lambda: nn.Conv2d(3, 4, 3, stride=2, padding=2, dilation=2), (2, 3, 7, 7), conv_note))
    out.append(conv_case(
        "conv2d_groups", "Conv2d(4, 6, (3,2), groups 2, pad (1,0))", nn.Conv2d,
        _conv_args(4, 6, (3, 2), (1, 1), (1, 0), (1, 1), 2),
        lambda: nn.Conv2d(4, 6, (3, 2), padding=(1, 0), groups=2), (2, 4, 5, 6), conv_note))
    out.append(conv_case(
        "conv_transpose2d", "ConvTranspose2d(3, 4, 3, stride 2, pad 1, output_padding 1)",
        nn.ConvTranspose2d,
        _conv_args(3, 4, (3, 3), (2, 2), (1, 1), (1, 1), 1, (1, 1)),
        lambda: nn.ConvTranspose2d(3, 4, 3, stride=2, padding=1, output_padding=1),
        (2, 3, 4, 4), tconv_note))
    out.append(conv_case(
        "conv_transpose2d_groups", "ConvTranspose2d(4, 6, 3, stride 2, pad 1, groups 2)",
        nn.ConvTranspose2d,
        _conv_args(4, 6, (3, 3), (2, 2), (1, 1), (1, 1), 2, (0, 0)),
        lambda: nn.ConvTranspose2d(4, 6, 3, stride=2, padding=1, groups=2),
        (2, 4, 3, 4), tconv_note))
    return out


def pool_cases():
    out = []

    def pool_case(name, desc, cls_name, args, ctor, shape, note=None):
        return module_case(
            name, desc, f"torch.nn.{cls_name}", args, ctor,
            lambda: [("input", randn(*shape), True, "x [N, C, H, W]")],
            lambda m, i: [("output", m(i["input"]))],
            output_meanings={"output": "[N, C, H_out, W_out]"}, notes=note)

    out.append(pool_case(
        "maxpool2d", "MaxPool2d(2, stride 2)", "MaxPool2d",
        {"kernel_size": [2, 2], "stride": [2, 2], "padding": [0, 0], "dilation": [1, 1],
         "ceil_mode": False},
        lambda: nn.MaxPool2d(2, 2), (2, 3, 6, 6),
        "Random inputs, so no ties inside a window; gradient goes to the arg-max."))
    out.append(pool_case(
        "maxpool2d_pad", "MaxPool2d(3, stride 2, pad 1)", "MaxPool2d",
        {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "dilation": [1, 1],
         "ceil_mode": False},
        lambda: nn.MaxPool2d(3, 2, padding=1), (2, 3, 7, 7),
        "Padding acts as -inf. Overlapping windows: a cell that is the max of several "
        "windows receives the sum of their upstream gradients."))
    out.append(pool_case(
        "avgpool2d", "AvgPool2d(3, stride 2, pad 1, count_include_pad=True)", "AvgPool2d",
        {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "ceil_mode": False,
         "count_include_pad": True, "divisor_override": None},
        lambda: nn.AvgPool2d(3, 2, padding=1, count_include_pad=True), (2, 3, 7, 7),
        "Every window divides by 9 (zero padding counted)."))
    out.append(pool_case(
        "avgpool2d_exclude_pad", "AvgPool2d(3, stride 2, pad 1, count_include_pad=False)",
        "AvgPool2d",
        {"kernel_size": [3, 3], "stride": [2, 2], "padding": [1, 1], "ceil_mode": False,
         "count_include_pad": False, "divisor_override": None},
        lambda: nn.AvgPool2d(3, 2, padding=1, count_include_pad=False), (2, 3, 7, 7),
        "Each window divides by the number of non-padding cells it covers."))
    out.append(pool_case(
        "adaptive_avgpool2d", "AdaptiveAvgPool2d((3,3)) on 7x7", "AdaptiveAvgPool2d",
        {"output_size": [3, 3]},
        lambda: nn.AdaptiveAvgPool2d((3, 3)), (2, 3, 7, 7),
        "Window for output i along a size-L axis: [floor(i*L/O), ceil((i+1)*L/O)); "
        "for 7 -> 3 that is [0,3), [2,5), [4,7)."))
    out.append(pool_case(
        "upsample_nearest", "Upsample(scale_factor=2, mode='nearest')", "Upsample",
        {"scale_factor": 2.0, "mode": "nearest", "size": None, "align_corners": None},
        lambda: nn.Upsample(scale_factor=2, mode="nearest"), (2, 3, 3, 4),
        "out[..., y, x] = in[..., floor(y/2), floor(x/2)]; gradient sums 2x2 blocks."))
    return out


def norm_cases():
    out = []

    def ln_setup(m):
        m.weight.copy_(1.0 + 0.5 * torch.randn(m.weight.shape))
        m.bias.copy_(0.5 * torch.randn(m.bias.shape))

    out.append(module_case(
        "layernorm", "LayerNorm([6]) with non-default weight/bias on [2,3,6]",
        "torch.nn.LayerNorm",
        {"normalized_shape": [6], "eps": 1e-5, "elementwise_affine": True},
        lambda: nn.LayerNorm(6), lambda: [("input", randn(2, 3, 6, scale=2.0) + 0.5, True, "x [2,3,6]")],
        lambda m, i: [("output", m(i["input"]))], setup=ln_setup,
        output_meanings={"output": "(x - mean) / sqrt(biased_var + eps) * weight + bias"}))

    def bn_setup(m):
        c = m.num_features
        m.weight.copy_(1.0 + 0.5 * torch.randn(c))
        m.bias.copy_(0.5 * torch.randn(c))
        m.running_mean.copy_(0.5 * torch.randn(c))
        m.running_var.copy_(0.5 + torch.rand(c))
        m.num_batches_tracked.fill_(3)

    bn_args = lambda c: {"num_features": c, "eps": 1e-5, "momentum": 0.1, "affine": True,
                         "track_running_stats": True}
    train_note = ("Train mode: normalise with the batch mean and biased batch variance over all "
                  "axes except C; then running_mean = 0.9*running_mean + 0.1*batch_mean and "
                  "running_var = 0.9*running_var + 0.1*unbiased_batch_var (n/(n-1) correction, "
                  "n = elements per channel); num_batches_tracked += 1. buffer.* is before the "
                  "forward, buffer_after.* after it.")
    eval_note = ("Eval mode: (x - running_mean) / sqrt(running_var + eps) * weight + bias; "
                 "buffers are not changed; gradients flow to input, weight, bias.")
    for dims, cls in ((1, nn.BatchNorm1d), (2, nn.BatchNorm2d)):
        for mode in ("train", "eval"):
            c = 4 if dims == 1 else 3
            shape = (6, 4) if dims == 1 else (2, 3, 4, 4)
            name = f"batchnorm{dims}d_{mode}"
            out.append(module_case(
                name, f"BatchNorm{dims}d({c}) in {mode} mode, non-default affine and running "
                f"stats, input {list(shape)}", f"torch.nn.BatchNorm{dims}d", bn_args(c),
                (lambda cls=cls, c=c: cls(c, momentum=0.1)),
                lambda: [("input", randn(*shape, scale=1.5) + 0.3, True,
                  "x [N, C]" if dims == 1 else "x [N, C, H, W]")],
                lambda m, i: [("output", m(i["input"]))], mode=mode, setup=bn_setup,
                buffers_after=(mode == "train"),
                output_meanings={"output": "normalised input, same shape"},
                notes=(train_note if mode == "train" else eval_note)
                + " num_batches_tracked is stored as I32."))
    return out


# ---------------------------------------------------------------------------
# losses
# ---------------------------------------------------------------------------

def loss_case(name, description, function, args, inputs, compute, formula, notes=None):
    """inputs: callable returning a list of (tensor_name, tensor, requires_grad, meaning),
    called after the case has seeded the generator.

    Stored 'output' is the loss value. When it is a scalar the gradients are of it
    directly; for reduction 'none' an 'upstream' is stored and the gradients are of
    sum(output * upstream).
    """
    c = Case(name, "loss", description)
    ins = {}
    c.config["inputs"] = {}
    for tname, t, rg, meaning in inputs():
        t = t.detach().clone()
        if rg:
            t.requires_grad_(True)
        ins[tname] = t
        c.config["inputs"][tname] = input_spec(t, meaning, rg)
        c.put(tname, t)
    y = compute(ins)
    c.put("output", y)
    if y.dim() == 0:
        loss = y
        lossdef = {"kind": "output", "formula": "loss = output (a scalar)"}
    else:
        up = torch.randn(y.shape)
        c.put("upstream", up)
        loss = (y * up).sum()
        c.put("loss", loss)
        lossdef = {"kind": "upstream", "formula": "loss = sum(output * upstream)"}
    loss.backward()
    grads = []
    for tname, t in ins.items():
        if t.requires_grad:
            c.put(f"grad.{tname}", t.grad)
            grads.append(f"grad.{tname}")
    c.config.update({
        "function": function,
        "args": args,
        "definition": formula,
        "outputs": {"output": "value of the loss function with the given reduction"},
        "loss": lossdef,
        "grads": grads,
    })
    if notes:
        c.config["notes"] = notes
    return c.finish()


CE_DEF = ("per row n with target t != ignore_index: l_n = -w[t] * logp[n,t] * (1-eps) "
          "- eps/C * sum_c w[c] * logp[n,c], logp = log_softmax(input, dim=1), eps = "
          "label_smoothing, w = weight or ones; rows with t == ignore_index give 0. "
          "mean = sum_n l_n / sum_{n not ignored} w[t_n]; sum = sum_n l_n; none = [l_n].")


def loss_cases():
    out = []

    def ce(name, desc, targets, reduction="mean", ignore_index=-100, smoothing=0.0,
           weighted=False):
        def inputs():
            ins = [("input", randn(6, 5, scale=1.5), True, "logits [N=6, C=5]"),
                   ("target", torch.tensor(targets, dtype=torch.int64), False,
                    "class indices [N] (I32)")]
            if weighted:
                ins.append(("weight", 0.5 + torch.rand(5), False, "class weights [C]"))
            return ins
        args = {"weight": "tensor 'weight'" if weighted else None,
                "ignore_index": ignore_index, "reduction": reduction,
                "label_smoothing": smoothing}
        return loss_case(
            name, desc, "torch.nn.functional.cross_entropy", args, inputs,
            lambda i: F.cross_entropy(i["input"], i["target"], weight=i.get("weight"),
                                      ignore_index=ignore_index, reduction=reduction,
                                      label_smoothing=smoothing),
            CE_DEF)

    out.append(ce("cross_entropy_ignore_index", "cross_entropy, two targets = -100 ignored",
                  [1, -100, 4, 0, -100, 2]))
    out.append(ce("cross_entropy_ignore_index0", "cross_entropy with ignore_index=0",
                  [1, 0, 4, 0, 3, 2], ignore_index=0))
    out.append(ce("cross_entropy_label_smoothing", "cross_entropy, label_smoothing 0.1",
                  [1, 3, 4, 0, 2, 2], smoothing=0.1))
    out.append(ce("cross_entropy_label_smoothing_ignore_index",
                  "cross_entropy, label_smoothing 0.1 and ignore_index -100",
                  [1, -100, 4, 0, -100, 2], smoothing=0.1))
    out.append(ce("cross_entropy_weights", "cross_entropy with class weights, reduction mean "
                  "(weighted mean: divides by the sum of the targets' weights)",
                  [1, 3, 4, 0, 3, 2], weighted=True))
    out.append(ce("cross_entropy_sum", "cross_entropy, reduction sum, one ignored target",
                  [1, 3, -100, 0, 3, 2], reduction="sum"))
    out.append(ce("cross_entropy_none", "cross_entropy, reduction none, one ignored target "
                  "(its entry is 0)", [1, 3, -100, 0, 3, 2], reduction="none"))

    out.append(loss_case(
        "nll_loss", "nll_loss on log-probabilities, reduction mean, one ignored target",
        "torch.nn.functional.nll_loss",
        {"weight": None, "ignore_index": -100, "reduction": "mean"},
        lambda: [("input", F.log_softmax(randn(6, 5), dim=1), True,
                  "log-probabilities [N=6, C=5] (treated as a leaf)"),
                 ("target", torch.tensor([2, 0, -100, 4, 1, 1]), False,
                  "class indices [N] (I32)")],
        lambda i: F.nll_loss(i["input"], i["target"], ignore_index=-100, reduction="mean"),
        "l_n = -input[n, t_n] for t_n != ignore_index; mean over non-ignored rows."))

    def mixed_targets():
        return torch.cat([torch.rand(2, 4), torch.tensor([[0., 1., 1., 0.]])])

    def pair(name, fn, desc, definition, make_input, make_target, args, fname, notes=None):
        return loss_case(
            name, desc, fname, args,
            lambda: [("input", make_input(), True, "prediction [3,4]"),
                     ("target", make_target(), False, "target [3,4]")],
            fn, definition, notes)

    out.append(pair("mse_loss", lambda i: F.mse_loss(i["input"], i["target"]),
                    "mse_loss, reduction mean", "mean((input - target)^2)",
                    lambda: randn(3, 4), lambda: randn(3, 4), {"reduction": "mean"},
                    "torch.nn.functional.mse_loss"))
    out.append(pair("l1_loss", lambda i: F.l1_loss(i["input"], i["target"]),
                    "l1_loss, reduction mean", "mean(|input - target|)",
                    lambda: randn(3, 4), lambda: randn(3, 4), {"reduction": "mean"},
                    "torch.nn.functional.l1_loss"))
    out.append(pair("bce", lambda i: F.binary_cross_entropy(i["input"], i["target"]),
                    "binary_cross_entropy on probabilities, soft and hard targets, mean",
                    "mean(-(t*log(p) + (1-t)*log(1-p))), each log clamped to >= -100",
                    lambda: torch.sigmoid(randn(3, 4, scale=2.0)), mixed_targets,
                    {"weight": None, "reduction": "mean"},
                    "torch.nn.functional.binary_cross_entropy",
                    "input holds probabilities in (0,1) (treated as a leaf); target rows 0-1 "
                    "are soft, row 2 is hard 0/1 labels."))
    out.append(pair("bce_with_logits",
                    lambda i: F.binary_cross_entropy_with_logits(i["input"], i["target"]),
                    "binary_cross_entropy_with_logits, mean",
                    "mean(-(t*log(sigmoid(x)) + (1-t)*log(1-sigmoid(x))))",
                    lambda: randn(3, 4, scale=3.0), mixed_targets,
                    {"weight": None, "pos_weight": None, "reduction": "mean"},
                    "torch.nn.functional.binary_cross_entropy_with_logits"))

    out.append(loss_case(
        "bce_with_logits_pos_weight", "binary_cross_entropy_with_logits with pos_weight [4], mean",
        "torch.nn.functional.binary_cross_entropy_with_logits",
        {"weight": None, "pos_weight": "tensor 'pos_weight'", "reduction": "mean"},
        lambda: [("input", randn(3, 4, scale=3.0), True, "logits [3,4]"),
                 ("target", mixed_targets(), False, "target [3,4]"),
                 ("pos_weight", torch.tensor([0.5, 1.0, 2.0, 3.0]), False,
                  "weight of positive examples per column [4], broadcast over the last axis")],
        lambda i: F.binary_cross_entropy_with_logits(i["input"], i["target"],
                                                     pos_weight=i["pos_weight"]),
        "mean(-(pos_weight*t*log(sigmoid(x)) + (1-t)*log(1-sigmoid(x))))"))

    out.append(loss_case(
        "kl_div", "kl_div(input=log q, target=p), log_target False, reduction batchmean",
        "torch.nn.functional.kl_div",
        {"reduction": "batchmean", "log_target": False},
        lambda: [("input", F.log_softmax(randn(3, 5), dim=1), True,
                  "log-probabilities [N=3, C=5] (treated as a leaf)"),
                 ("target", F.softmax(randn(3, 5), dim=1), False, "probabilities [N=3, C=5]")],
        lambda i: F.kl_div(i["input"], i["target"], reduction="batchmean", log_target=False),
        "sum(target * (log(target) - input)) / N (N = input.size(0)); terms with "
        "target = 0 contribute 0"))
    return out


# ---------------------------------------------------------------------------
# activations
# ---------------------------------------------------------------------------

def activation_cases():
    out = []

    def act(name, desc, function, args, shape, scale, fn, definition):
        c = Case(name, "activation", desc)
        x = randn(*shape, scale=scale).requires_grad_(True)
        y = fn(x)
        up = torch.randn(y.shape)
        loss = (y * up).sum()
        loss.backward()
        c.put("input", x)
        c.put("output", y)
        c.put("upstream", up)
        c.put("loss", loss)
        c.put("grad.input", x.grad)
        c.config.update({
            "function": function, "args": args, "definition": definition,
            "inputs": {"input": input_spec(x, "x", True)},
            "outputs": {"output": "f(x)"},
            "loss": {"kind": "upstream", "formula": "loss = sum(output * upstream)"},
            "grads": ["grad.input"],
        })
        return c.finish()

    out.append(act("gelu", "gelu, exact (erf)", "torch.nn.functional.gelu",
                   {"approximate": "none"}, (3, 5), 2.0, lambda x: F.gelu(x),
                   "x * 0.5 * (1 + erf(x / sqrt(2)))"))
    out.append(act("elu", "elu, alpha 1.0", "torch.nn.functional.elu", {"alpha": 1.0},
                   (3, 5), 2.0, lambda x: F.elu(x, alpha=1.0),
                   "x if x > 0 else alpha * (exp(x) - 1)"))
    out.append(act("leaky_relu", "leaky_relu, negative_slope 0.01",
                   "torch.nn.functional.leaky_relu", {"negative_slope": 0.01}, (3, 5), 2.0,
                   lambda x: F.leaky_relu(x, 0.01), "x if x > 0 else negative_slope * x"))
    out.append(act("softplus", "softplus with beta 2, threshold 5 (some inputs beyond it)",
                   "torch.nn.functional.softplus", {"beta": 2.0, "threshold": 5.0}, (3, 5),
                   3.0, lambda x: F.softplus(x, beta=2.0, threshold=5.0),
                   "log(1 + exp(beta*x)) / beta, or x where beta*x > threshold"))
    out.append(act("log_softmax", "log_softmax over dim 1 of [3,5]",
                   "torch.nn.functional.log_softmax", {"dim": 1}, (3, 5), 2.0,
                   lambda x: F.log_softmax(x, dim=1), "x - logsumexp(x, dim)"))
    out.append(act("softmax", "softmax over dim 1 of [3,5]", "torch.nn.functional.softmax",
                   {"dim": 1}, (3, 5), 2.0, lambda x: F.softmax(x, dim=1),
                   "exp(x) / sum(exp(x), dim)"))
    out.append(act("softmax_dim1_3d", "softmax over dim 1 (not the last axis) of [2,4,3]",
                   "torch.nn.functional.softmax", {"dim": 1}, (2, 4, 3), 2.0,
                   lambda x: F.softmax(x, dim=1), "exp(x) / sum(exp(x), dim)"))
    out.append(act("log_softmax_dim1_3d", "log_softmax over dim 1 (not the last axis) of [2,4,3]",
                   "torch.nn.functional.log_softmax", {"dim": 1}, (2, 4, 3), 2.0,
                   lambda x: F.log_softmax(x, dim=1), "x - logsumexp(x, dim)"))
    return out


# ---------------------------------------------------------------------------
# optimizers
# ---------------------------------------------------------------------------

OPT_DEFS = {
    "sgd": "g = grad + weight_decay*p; buf = g (first step) else momentum*buf + (1-dampening)*g; "
           "d = g + momentum*buf if nesterov else buf; p -= lr*d",
    "adam": "g = grad + weight_decay*p; m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; "
            "p -= lr * (m/(1-b1^t)) / (sqrt(v)/sqrt(1-b2^t) + eps)  [exact op order: "
            "denom = sqrt(v)/sqrt(1-b2^t) + eps; p -= (lr/(1-b1^t)) * m / denom]; amsgrad: "
            "vmax = max(vmax, v) and vmax replaces v in denom",
    "adamw": "p *= 1 - lr*weight_decay; then Adam (amsgrad included) without weight decay on "
             "grad",
    "rmsprop": "g = grad + weight_decay*p; v = alpha*v + (1-alpha)*g^2; avg = sqrt(v) + eps "
               "(centered: ga = alpha*ga + (1-alpha)*g; avg = sqrt(v - ga^2) + eps); "
               "if momentum > 0: buf = momentum*buf + g/avg; p -= lr*buf else p -= lr*g/avg",
    "adagrad": "g = grad + weight_decay*p; clr = lr / (1 + (t-1)*lr_decay); sum += g^2; "
               "p -= clr * g / (sqrt(sum) + eps)",
}


def optimizer_case(name, desc, cls, kwargs, family, state_keys, steps=2):
    c = Case(name, "optimizer", desc)
    weight = torch.randn(3, 4)
    bias = torch.randn(4)
    pw = weight.clone().requires_grad_(True)
    pb = bias.clone().requires_grad_(True)
    opt = cls([pw, pb], **kwargs)
    names = [("weight", pw), ("bias", pb)]
    for n, p in names:
        c.put(f"step0.param.{n}", p)
    steps_cfg = []
    for step in range(1, steps + 1):
        for n, p in names:
            p.grad = torch.randn(p.shape)
            c.put(f"step{step}.grad.{n}", p.grad)
        opt.step()
        for n, p in names:
            c.put(f"step{step}.param.{n}", p)
        scalar_state = {}
        for n, p in names:
            st = opt.state[p]
            for k in state_keys:
                c.put(f"step{step}.state.{n}.{k}", st[k])
            if "step" in st:
                s = st["step"]
                scalar_state[n] = {"step": int(s.item()) if torch.is_tensor(s) else int(s)}
        steps_cfg.append({"step": step, "scalar_state": scalar_state})
    args = {"lr": kwargs["lr"]}
    args.update({k: (list(v) if isinstance(v, tuple) else v) for k, v in kwargs.items()})
    defaults = {k: (list(v) if isinstance(v, tuple) else v) for k, v in opt.defaults.items()}
    c.config.update({
        "torch_class": f"torch.optim.{cls.__name__}",
        "args": args,
        "all_defaults": defaults,
        "params": {"weight": [3, 4], "bias": [4]},
        "steps": steps,
        "state_keys": state_keys,
        "scalar_state": steps_cfg,
        "update": OPT_DEFS[family],
        "procedure": "params start at step0.param.*; for s in 1..steps: set p.grad = step{s}.grad.*, "
                     "call optimizer.step(), compare p with step{s}.param.* and the state "
                     "with step{s}.state.<param>.<key>. Both params are in one param group.",
    })
    return c.finish()


def optimizer_cases():
    O = torch.optim
    return [
        optimizer_case("sgd_momentum", "SGD momentum 0.9, dampening 0, weight_decay 0.01",
                       O.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.0,
                               "weight_decay": 0.01, "nesterov": False}, "sgd",
                       ["momentum_buffer"]),
        optimizer_case("sgd_nesterov", "SGD Nesterov momentum 0.9, weight_decay 0.01",
                       O.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.0,
                               "weight_decay": 0.01, "nesterov": True}, "sgd",
                       ["momentum_buffer"]),
        optimizer_case("adam", "Adam lr 1e-2, betas (0.9, 0.999), eps 1e-8, weight_decay 0.01 "
                       "(L2, added to the gradient)", O.Adam,
                       {"lr": 1e-2, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.01,
                        "amsgrad": False}, "adam", ["exp_avg", "exp_avg_sq"]),
        optimizer_case("adamw", "AdamW lr 1e-2, betas (0.9, 0.999), eps 1e-8, weight_decay 0.1 "
                       "(decoupled)", O.AdamW,
                       {"lr": 1e-2, "betas": (0.9, 0.999), "eps": 1e-8, "weight_decay": 0.1,
                        "amsgrad": False}, "adamw", ["exp_avg", "exp_avg_sq"]),
        optimizer_case("rmsprop", "RMSprop lr 1e-2, alpha 0.99, eps 1e-8, no momentum",
                       O.RMSprop, {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0,
                                   "momentum": 0.0, "centered": False}, "rmsprop",
                       ["square_avg"]),
        optimizer_case("rmsprop_momentum", "RMSprop lr 1e-2, alpha 0.99, eps 1e-8, momentum 0.9",
                       O.RMSprop, {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0,
                                   "momentum": 0.9, "centered": False}, "rmsprop",
                       ["square_avg", "momentum_buffer"]),
        optimizer_case("adagrad", "Adagrad lr 0.1, eps 1e-10", O.Adagrad,
                       {"lr": 0.1, "lr_decay": 0.0, "weight_decay": 0.0,
                        "initial_accumulator_value": 0.0, "eps": 1e-10}, "adagrad", ["sum"]),
    ] + optimizer_option_cases()


def optimizer_option_cases():
    """Every option of every optimizer at least once, weight decay with each optimizer.

    Four steps, and beta2 = 0.5 for AMSGrad so that exp_avg_sq falls below its running maximum
    within the run (with beta2 = 0.999 the maximum is almost always the current value, and a
    missing max would go unnoticed)."""
    O = torch.optim
    ams = {"lr": 1e-2, "betas": (0.9, 0.5), "eps": 1e-8, "amsgrad": True}
    return [
        optimizer_case("sgd_weight_decay", "SGD without momentum, weight_decay 0.05", O.SGD,
                       {"lr": 0.1, "momentum": 0.0, "dampening": 0.0, "weight_decay": 0.05,
                        "nesterov": False}, "sgd", [], steps=4),
        optimizer_case("sgd_dampening", "SGD momentum 0.9, dampening 0.3, weight_decay 0.01",
                       O.SGD, {"lr": 0.1, "momentum": 0.9, "dampening": 0.3,
                               "weight_decay": 0.01, "nesterov": False}, "sgd",
                       ["momentum_buffer"], steps=4),
        optimizer_case("sgd_nesterov_no_decay", "SGD Nesterov momentum 0.8, no weight decay",
                       O.SGD, {"lr": 0.05, "momentum": 0.8, "dampening": 0.0,
                               "weight_decay": 0.0, "nesterov": True}, "sgd",
                       ["momentum_buffer"], steps=4),
        optimizer_case("adam_amsgrad", "Adam AMSGrad, betas (0.9, 0.5), weight_decay 0.01 (L2)",
                       O.Adam, dict(ams, weight_decay=0.01), "adam",
                       ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], steps=4),
        optimizer_case("adamw_amsgrad", "AdamW AMSGrad, betas (0.9, 0.5), weight_decay 0.1 "
                       "(decoupled)", O.AdamW, dict(ams, weight_decay=0.1), "adamw",
                       ["exp_avg", "exp_avg_sq", "max_exp_avg_sq"], steps=4),
        optimizer_case("adam_no_decay", "Adam lr 1e-2, betas (0.8, 0.9), eps 1e-6, no weight "
                       "decay", O.Adam, {"lr": 1e-2, "betas": (0.8, 0.9), "eps": 1e-6,
                                         "weight_decay": 0.0, "amsgrad": False}, "adam",
                       ["exp_avg", "exp_avg_sq"], steps=4),
        optimizer_case("rmsprop_centered", "RMSprop centered, alpha 0.9, eps 1e-8, "
                       "weight_decay 0.01", O.RMSprop,
                       {"lr": 1e-2, "alpha": 0.9, "eps": 1e-8, "weight_decay": 0.01,
                        "momentum": 0.0, "centered": True}, "rmsprop",
                       ["square_avg", "grad_avg"], steps=4),
        optimizer_case("rmsprop_centered_momentum", "RMSprop centered with momentum 0.9, "
                       "alpha 0.9, weight_decay 0.01", O.RMSprop,
                       {"lr": 1e-2, "alpha": 0.9, "eps": 1e-8, "weight_decay": 0.01,
                        "momentum": 0.9, "centered": True}, "rmsprop",
                       ["square_avg", "grad_avg", "momentum_buffer"], steps=4),
        optimizer_case("rmsprop_weight_decay", "RMSprop, alpha 0.99, momentum 0.5, "
                       "weight_decay 0.05", O.RMSprop,
                       {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.05,
                        "momentum": 0.5, "centered": False}, "rmsprop",
                       ["square_avg", "momentum_buffer"], steps=4),
        optimizer_case("adagrad_lr_decay", "Adagrad lr 0.1, lr_decay 0.1, "
                       "initial_accumulator_value 0.5, eps 1e-10", O.Adagrad,
                       {"lr": 0.1, "lr_decay": 0.1, "weight_decay": 0.0,
                        "initial_accumulator_value": 0.5, "eps": 1e-10}, "adagrad", ["sum"],
                       steps=4),
        optimizer_case("adagrad_weight_decay", "Adagrad lr 0.1, lr_decay 0.05, weight_decay "
                       "0.05, initial_accumulator_value 0.1", O.Adagrad,
                       {"lr": 0.1, "lr_decay": 0.05, "weight_decay": 0.05,
                        "initial_accumulator_value": 0.1, "eps": 1e-10}, "adagrad", ["sum"],
                       steps=4),
    ]


# ---------------------------------------------------------------------------
# schedulers
# ---------------------------------------------------------------------------

SCHED_STEPS = 12


def scheduler_case(name, desc, torch_class, args, make, formula, closed_form):
    c = Case(name, "scheduler", desc)
    base_lr = 0.1
    p = torch.zeros(1, requires_grad=True)
    opt = torch.optim.SGD([p], lr=base_lr)
    sched = make(opt)
    lrs = []
    for _ in range(SCHED_STEPS):
        lrs.append(float(opt.param_groups[0]["lr"]))
        opt.step()
        sched.step()
    closed = [closed_form(base_lr, i) for i in range(SCHED_STEPS)]
    c.put("lr", torch.tensor(lrs, dtype=torch.float64).to(torch.float32))
    c.config.update({
        "torch_class": torch_class,
        "args": args,
        "optimizer": {"class": "torch.optim.SGD", "lr": base_lr},
        "base_lr": base_lr,
        "steps": SCHED_STEPS,
        "procedure": "lrs[i] is optimizer.param_groups[0]['lr'] read before the i-th "
                     "optimizer.step(); scheduler.step() is called after each optimizer.step(). "
                     "lrs[0] is the lr right after constructing the scheduler.",
        "formula": formula,
        "lrs": lrs,
        "max_abs_diff_torch_vs_formula": max(abs(a - b) for a, b in zip(lrs, closed)),
    })
    return c.finish()


def noam_lr(base, i, d_model=16, warmup=4):
    step = i + 1
    return base * d_model ** -0.5 * min(step ** -0.5, step * warmup ** -1.5)


def scheduler_cases():
    S = torch.optim.lr_scheduler
    out = []
    out.append(scheduler_case(
        "scheduler_step_lr", "StepLR(step_size=3, gamma=0.5)", "torch.optim.lr_scheduler.StepLR",
        {"step_size": 3, "gamma": 0.5}, lambda o: S.StepLR(o, step_size=3, gamma=0.5),
        "lr_i = base_lr * gamma^floor(i / step_size)",
        lambda b, i: b * 0.5 ** (i // 3)))
    out.append(scheduler_case(
        "scheduler_exponential_lr", "ExponentialLR(gamma=0.9)",
        "torch.optim.lr_scheduler.ExponentialLR", {"gamma": 0.9},
        lambda o: S.ExponentialLR(o, gamma=0.9), "lr_i = base_lr * gamma^i",
        lambda b, i: b * 0.9 ** i))
    out.append(scheduler_case(
        "scheduler_cosine_annealing_lr", "CosineAnnealingLR(T_max=10, eta_min=0.001), run past "
        "T_max", "torch.optim.lr_scheduler.CosineAnnealingLR", {"T_max": 10, "eta_min": 0.001},
        lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
        "lr_i = eta_min + (base_lr - eta_min) * (1 + cos(pi * i / T_max)) / 2 (torch computes "
        "it recursively; past T_max it continues along the same cosine, rising again)",
        lambda b, i: 0.001 + (b - 0.001) * (1 + math.cos(math.pi * i / 10)) / 2))
    out.append(scheduler_case(
        "scheduler_linear_lr", "LinearLR warmup (start_factor 0.25, end_factor 1.0, "
        "total_iters 4)", "torch.optim.lr_scheduler.LinearLR",
        {"start_factor": 0.25, "end_factor": 1.0, "total_iters": 4},
        lambda o: S.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=4),
        "lr_i = base_lr * (start_factor + (end_factor - start_factor) * min(i, total_iters) / "
        "total_iters)",
        lambda b, i: b * (0.25 + 0.75 * min(i, 4) / 4)))
    out.append(scheduler_case(
        "scheduler_noam", "Noam inverse-sqrt schedule with warmup (d_model 16, warmup 4), "
        "via LambdaLR", "torch.optim.lr_scheduler.LambdaLR",
        {"lr_lambda": "noam", "d_model": 16, "warmup": 4},
        lambda o: S.LambdaLR(o, lambda i: noam_lr(1.0, i)),
        "lr_i = base_lr * d_model^-0.5 * min(s^-0.5, s * warmup^-1.5) with s = i + 1 "
        "(peak at s = warmup)",
        lambda b, i: noam_lr(b, i)))
    return out


# ---------------------------------------------------------------------------
# driver
# ---------------------------------------------------------------------------

_NUMBER_LIST = re.compile(r"\[\s*([-+0-9.eE]+(?:,\s*[-+0-9.eE]+)*)\s*\]")


def dump_json(obj):
    """Indented JSON with lists of numbers kept on one line."""
    text = json.dumps(obj, indent=2)
    text = _NUMBER_LIST.sub(lambda m: "[" + ", ".join(x.strip() for x in m.group(1).split(","))
                            + "]", text)
    return (text + "\n").encode("utf-8")


def build_all():
    torch.set_num_threads(1)
    torch.set_default_dtype(torch.float32)
    torch.use_deterministic_algorithms(True)
    cases = []
    for group in (linear_cases, embedding_cases, rnn_cases, conv_cases, pool_cases,
                  norm_cases, loss_cases, activation_cases, optimizer_cases, scheduler_cases):
        cases.extend(group())
    seen = set()
    for name, _, _ in cases:
        if name in seen:
            raise KeyError(f"duplicate case {name}")
        seen.add(name)
    index = {
        "format": FORMAT,
        "torch": torch.__version__,
        "generator": "tools/make_torch_fixtures.py",
        "cases": [{"case": n, "type": cfg["type"], "description": cfg["description"],
                   "safetensors": f"{n}.safetensors", "json": f"{n}.json"}
                  for n, cfg, _ in cases],
    }
    files = {}
    for name, cfg, blob in cases:
        cfg = dict(cfg)
        cfg["format"] = FORMAT
        cfg["torch"] = torch.__version__
        files[f"{name}.safetensors"] = blob
        files[f"{name}.json"] = dump_json(cfg)
    files["index.json"] = dump_json(index)
    return files


def check(out_dir):
    import numpy as np

    problems = []
    with open(os.path.join(out_dir, "index.json"), "rb") as f:
        index = json.load(f)
    total = 0
    for entry in index["cases"]:
        name = entry["case"]
        with open(os.path.join(out_dir, entry["safetensors"]), "rb") as f:
            blob = f.read()
        with open(os.path.join(out_dir, entry["json"]), "rb") as f:
            cfg = json.load(f)
        total += len(blob)
        try:
            meta, tensors = decode_safetensors(blob)
        except Exception as e:  # noqa: BLE001
            problems.append(f"{name}: {e}")
            continue
        if meta.get("case") != name or meta.get("format") != FORMAT:
            problems.append(f"{name}: bad __metadata__ {meta}")
        if set(cfg["tensors"]) != set(tensors):
            problems.append(f"{name}: json lists {sorted(cfg['tensors'])}, file has "
                            f"{sorted(tensors)}")
        for tname, (dtype, shape, values) in tensors.items():
            spec = cfg["tensors"].get(tname)
            if spec and (spec["dtype"] != dtype or spec["shape"] != shape):
                problems.append(f"{name}/{tname}: json says {spec}, file {dtype} {shape}")
            if dtype == "F32" and not all(math.isfinite(v) for v in values):
                problems.append(f"{name}/{tname}: non-finite value")
        # every name referenced by the config exists in the file
        refs = list(cfg.get("inputs", {}))
        if isinstance(cfg.get("params"), list):
            refs += cfg["params"]
        refs += cfg.get("buffers", []) + cfg.get("buffers_after", []) + cfg.get("grads", [])
        refs += list(cfg.get("outputs", {}))
        for r in refs:
            if r not in tensors:
                problems.append(f"{name}: config refers to missing tensor {r}")
        # a recomputation spot check: the stored loss matches sum(output * upstream)
        if cfg.get("loss", {}).get("kind") == "upstream" and "loss" in tensors:
            acc = 0.0
            for o in cfg["outputs"]:
                u = "upstream" + o[len("output"):]
                acc += float(np.dot(np.array(tensors[o][2], dtype=np.float64),
                                    np.array(tensors[u][2], dtype=np.float64)))
            stored = tensors["loss"][2][0]
            if abs(acc - stored) > 1e-4 * max(1.0, abs(acc)):
                problems.append(f"{name}: loss {stored} != sum(output*upstream) {acc}")
    # the files on disk are exactly what the generator produces now
    fresh = build_all()
    on_disk = sorted(f for f in os.listdir(out_dir)
                     if f.endswith(".safetensors") or f.endswith(".json"))
    if sorted(fresh) != on_disk:
        problems.append(f"file set differs: extra {sorted(set(on_disk) - set(fresh))}, "
                        f"missing {sorted(set(fresh) - set(on_disk))}")
    for fname, blob in fresh.items():
        p = os.path.join(out_dir, fname)
        if os.path.exists(p):
            with open(p, "rb") as f:
                if f.read() != blob:
                    problems.append(f"{fname}: differs from a fresh generation")
    size = sum(os.path.getsize(os.path.join(out_dir, f)) for f in on_disk)
    print(f"checked {len(index['cases'])} cases, {len(on_disk)} files, {size} bytes "
          f"({total} in safetensors)")
    for p in problems:
        print("PROBLEM:", p)
    return not problems


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=DEFAULT_OUT, help="output directory")
    ap.add_argument("--check", action="store_true",
                    help="validate the files in --out and compare with a fresh generation")
    a = ap.parse_args()
    if a.check:
        sys.exit(0 if check(a.out) else 1)
    files = build_all()
    os.makedirs(a.out, exist_ok=True)
    for fname, blob in files.items():
        with open(os.path.join(a.out, fname), "wb") as f:
            f.write(blob)
    size = sum(len(b) for b in files.values())
    print(f"wrote {len(files)} files ({size} bytes) to {a.out}")


if __name__ == "__main__":
    main()
