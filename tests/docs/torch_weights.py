"""Weights between ctgraph and PyTorch, as docs/guide.md shows them (its snippets are
copied from here verbatim; check_guide.py proves it). Run by guide_test.cpp:

  torch_weights.py CTGRAPH_WEIGHTS.npz INPUTS.npz OUT_PREDICTIONS.npz OUT_WEIGHTS.npz

loads ctgraph's weights into nn.Linear layers, predicts INPUTS' "x", and writes the
predictions and the PyTorch model's weights back in ctgraph's layout.
"""
import sys

import numpy as np
import torch

# --8<-- [start:to_torch]
# ctgraph: dense<16>(input<8>, relu) then dense<4, "scores">: arrays dense_1.kernel (8, 16),
# dense_1.bias (16,), scores.kernel (16, 4), scores.bias (4,). nn.Linear keeps weight (out, in).
net = torch.nn.Sequential(torch.nn.Linear(8, 16), torch.nn.ReLU(), torch.nn.Linear(16, 4))
layers = {"dense_1": net[0], "scores": net[2]}
weights = np.load(sys.argv[1])
with torch.no_grad():
    for name, linear in layers.items():
        linear.weight.copy_(torch.from_numpy(weights[name + ".kernel"].T))  # (in, out) -> (out, in)
        linear.bias.copy_(torch.from_numpy(weights[name + ".bias"]))
# --8<-- [end:to_torch]

x = torch.from_numpy(np.load(sys.argv[2])["x"])
with torch.no_grad():
    np.savez(sys.argv[3], y=net(x).numpy())

# --8<-- [start:from_torch]
# And back: one array per parameter, kernels (in, out), float32 or float64; np.savez or np.savez_compressed.
arrays = {}
for name, linear in layers.items():
    arrays[name + ".kernel"] = linear.weight.detach().numpy().T.copy()
    arrays[name + ".bias"] = linear.bias.detach().numpy()
np.savez(sys.argv[4], **arrays)  # ctgraph::load_weights(model, path) reads it
# --8<-- [end:from_torch]
