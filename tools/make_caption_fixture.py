"""PyTorch parity fixture for the Show-Attend-Tell captioner (src/models/caption).

Builds the model of bench-peers/torch/w6_sat.py (with the gate beta = sigmoid(f_beta(h)) of the
paper, which w6 leaves out) at small sizes, runs a teacher-forced forward pass and the backward
pass of the mean cross-entropy, and writes test/fixtures/torch/caption_sat.safetensors with the
weights under attentive's parameter names, the inputs, the logits, the attention weights and
the parameter gradients. Run: /usr/bin/python3 tools/make_caption_fixture.py
"""
import json
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_torch_fixtures import encode_safetensors  # noqa: E402


class SAT(nn.Module):
    def __init__(self, vocab, emb, chans, hidden, attn):
        super().__init__()
        D = chans[-1]
        self.cnn = nn.Sequential(
            nn.Conv2d(1, chans[0], 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(chans[0], chans[1], 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(chans[1], D, 3, padding=1), nn.ReLU(), nn.MaxPool2d(7))
        self.init_h = nn.Linear(D, hidden)
        self.init_c = nn.Linear(D, hidden)
        self.emb = nn.Embedding(vocab, emb)
        self.W_q = nn.Linear(hidden, attn, bias=False)
        self.U_k = nn.Linear(D, attn)
        self.v = nn.Linear(attn, 1, bias=False)
        self.f_beta = nn.Linear(hidden, 1)
        self.cell = nn.LSTMCell(emb + D, hidden)
        self.out = nn.Linear(hidden, vocab)

    def forward(self, img, cap_in):
        feats = self.cnn(img).flatten(2).transpose(1, 2)  # [B, 9, D]
        mean = feats.mean(1)
        h, c = torch.tanh(self.init_h(mean)), torch.tanh(self.init_c(mean))
        keys = self.U_k(feats)
        logits, alphas = [], []
        for t in range(cap_in.size(1)):
            e = self.v(torch.tanh(keys + self.W_q(h).unsqueeze(1))).squeeze(2)
            a = torch.softmax(e, 1)
            ctx = torch.bmm(a.unsqueeze(1), feats).squeeze(1) * torch.sigmoid(self.f_beta(h))
            h, c = self.cell(torch.cat([self.emb(cap_in[:, t]), ctx], 1), (h, c))
            logits.append(self.out(h))
            alphas.append(a)
        return torch.stack(logits, 1), torch.stack(alphas, 1)


# attentive's names for the torch parameters
NAMES = {
    "cnn.0.weight": "encoder.convs.0.weight", "cnn.0.bias": "encoder.convs.0.bias",
    "cnn.3.weight": "encoder.convs.1.weight", "cnn.3.bias": "encoder.convs.1.bias",
    "cnn.6.weight": "encoder.convs.2.weight", "cnn.6.bias": "encoder.convs.2.bias",
    "init_h.weight": "init_h.weight", "init_h.bias": "init_h.bias", "init_c.weight": "init_c.weight", "init_c.bias": "init_c.bias",
    "emb.weight": "embed.weight", "W_q.weight": "attention.W_q.weight", "U_k.weight": "attention.U_k.weight",
    "U_k.bias": "attention.U_k.bias", "v.weight": "attention.v.weight", "f_beta.weight": "f_beta.weight", "f_beta.bias": "f_beta.bias",
    "cell.weight_ih": "cell.weight_ih", "cell.weight_hh": "cell.weight_hh", "cell.bias_ih": "cell.bias_ih", "cell.bias_hh": "cell.bias_hh",
    "out.weight": "out.weight", "out.bias": "out.bias",
}


def main():
    torch.manual_seed(7)
    cfg = {"vocabSize": 12, "embSize": 5, "channels": [3, 4, 6], "hiddenSize": 7, "attentionSize": 8, "B": 2, "T": 4}
    m = SAT(cfg["vocabSize"], cfg["embSize"], cfg["channels"], cfg["hiddenSize"], cfg["attentionSize"])
    # larger weights than the default init, so the attention is far from uniform and errors show
    with torch.no_grad():
        for p in m.parameters():
            p.mul_(2.0)
    img = torch.rand(cfg["B"], 1, 84, 84)
    cap = torch.randint(0, cfg["vocabSize"], (cfg["B"], cfg["T"] + 1))
    logits, alphas = m(img, cap[:, :-1])
    loss = F.cross_entropy(logits.reshape(-1, cfg["vocabSize"]), cap[:, 1:].reshape(-1))
    loss.backward()
    tensors = [("input.images", img), ("input.tokens_in", cap[:, :-1].contiguous()), ("input.tokens_out", cap[:, 1:].contiguous()),
               ("output.logits", logits), ("output.attention", alphas), ("output.loss", loss.reshape(1))]
    for name, p in m.named_parameters():
        tensors.append(("param." + NAMES[name], p))
        tensors.append(("grad." + NAMES[name], p.grad))
    out_dir = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "test", "fixtures", "torch")
    with open(os.path.join(out_dir, "caption_sat.safetensors"), "wb") as f:
        f.write(encode_safetensors(tensors, {"torch": torch.__version__}))
    with open(os.path.join(out_dir, "caption_sat.json"), "w") as f:
        json.dump({"case": "caption_sat", "type": "model", "description": __doc__.strip().split("\n")[0], "config": cfg,
                   "torch": torch.__version__}, f, indent=2)
        f.write("\n")
    print("wrote caption_sat", float(loss))


if __name__ == "__main__":
    main()
