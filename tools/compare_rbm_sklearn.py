#!/usr/bin/env python3
"""Compare attentive's RBM pseudo-log-likelihood with scikit-learn's BernoulliRBM.

Both train on the same MNIST subset with the same hyperparameters (persistent CD, batch 10,
learning rate 0.1, N(0, 0.01) init); both pseudo-likelihoods are averaged over 10 draws of the
flipped bits. Needs Debian's python3-sklearn (run with /usr/bin/python3); CI does not run this.

    /usr/bin/python3 tools/compare_rbm_sklearn.py [trainSize] [testSize] [hidden] [epochs] [seeds, e.g. 0,1,2]
"""
import json
import os
import subprocess
import sys
import time

import numpy as np
from sklearn.neural_network import BernoulliRBM

args = sys.argv[1:]
train_size, test_size, hidden, epochs = (int(a) for a in (args[:4] + ["2000", "1000", "64", "10"][len(args[:4]):]))
seeds = [int(x) for x in (args[4] if len(args) > 4 else "0,1,2").split(",")]
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run_seed(seed):
    out = os.path.join("runs", f"rbm-sklearn-{train_size}-{hidden}-{epochs}-{seed}")
    subprocess.run(
        ["node", "--import", "tsx", "tools/rbm-sklearn-export.ts", out, str(train_size), str(test_size), str(hidden), str(epochs), str(seed)],
        cwd=root, check=True, stdout=subprocess.DEVNULL,
    )
    ours = json.load(open(os.path.join(root, out, "attentive.json")))
    train = np.fromfile(os.path.join(root, out, "train.f32"), dtype=np.float32).reshape(-1, 784).astype(np.float64)
    test = np.fromfile(os.path.join(root, out, "test.f32"), dtype=np.float32).reshape(-1, 784).astype(np.float64)
    t0 = time.time()
    rbm = BernoulliRBM(n_components=hidden, learning_rate=0.1, batch_size=10, n_iter=epochs, random_state=seed)
    rbm.fit(train)
    seconds = time.time() - t0

    def pll(x):
        scores = []
        for r in range(10):
            rbm.random_state = 1000 + r
            scores.append(rbm.score_samples(x).mean())
        return float(np.mean(scores))

    return ours, {"trainPll": pll(train), "testPll": pll(test), "seconds": seconds}


# A single PCD run's final pseudo-likelihood wanders by several percent from epoch to epoch,
# so the comparison is between means over seeds.
per_seed = []
for seed in seeds:
    ours, sk = run_seed(seed)
    per_seed.append({"seed": seed, "attentive_train": ours["trainPll"], "sklearn_train": sk["trainPll"],
                     "attentive_test": ours["testPll"], "sklearn_test": sk["testPll"],
                     "attentive_seconds": ours["seconds"], "sklearn_seconds": sk["seconds"]})
    print(json.dumps(per_seed[-1]), flush=True)
rows = []
for key in ("train", "test"):
    a = float(np.mean([r[f"attentive_{key}"] for r in per_seed]))
    b = float(np.mean([r[f"sklearn_{key}"] for r in per_seed]))
    rows.append({"metric": f"{key} pseudo-log-likelihood (mean of {len(seeds)} seeds)", "attentive": round(a, 2), "sklearn": round(b, 2),
                 "relative_difference": round(abs(a - b) / abs(b), 4)})
print(json.dumps({"config": {"train": train_size, "test": test_size, "hidden": hidden, "epochs": epochs, "seeds": seeds}, "rows": rows}, indent=2))
ok = all(r["relative_difference"] < 0.05 for r in rows)
print("within 5%:", ok)
sys.exit(0 if ok else 1)
