#!/usr/bin/python3
"""PyTorch side of the ctgraph parity suite (see README.md beside this file).

  parity.py reference OUT_DIR
      For every case and dtype (float32, float64), writes OUT_DIR/<case>_<f32|f64>/
      init.npz, batch.npz, grad.npz, after.npz and loss.npz: the initial parameters,
      one batch, the gradient of the mean loss, the parameters after 10 optimizer
      steps on that batch, and the initial loss, all computed by PyTorch.
  parity.py check-predictions DIR CASE
      Runs the PyTorch network, in float64, with the parameters of DIR/CASE_trained.npz
      on the x of DIR/CASE_predict.npz and compares with its "prediction".
      Exit 0 when every element agrees within max(1e-4 |torch|, 1e-6), else 1.

Parameters are held by ctgraph's names and layouts: kernels (in, out), biases (out,).
"""
import argparse
import math
import os
import sys

import numpy as np
import torch
import torch.nn.functional as F

STEPS = 10  # optimizer steps in after.npz
RTOL, ATOL = 1e-4, 1e-6  # check-predictions: |torch - ctgraph| <= max(RTOL |torch|, ATOL)
DTYPES = (("f32", torch.float32, np.float32), ("f64", torch.float64, np.float64))
FIB_STEPS = 20


# ----------------------------------------------------------------------------- layers


def dense(p, name, x):
    """x (rows, in) @ kernel (in, out) + bias (out,)."""
    return x @ p[name + ".kernel"] + p[name + ".bias"]


def simple_rnn(p, x):
    """Keras SimpleRNN over x (rows, T, F): h_t = tanh(x_t W + h_{t-1} U + b), h_{-1} = 0.
    Returns all states (rows, T, units)."""
    w, u, b = p["rnn.kernel"], p["rnn.recurrent_kernel"], p["rnn.bias"]
    h = torch.zeros(x.shape[0], w.shape[1], dtype=x.dtype)
    states = []
    for t in range(x.shape[1]):
        h = torch.tanh(x[:, t, :] @ w + h @ u + b)
        states.append(h)
    return torch.stack(states, dim=1)


def atten(p, name, x):
    """iris' Atten: k, q, v = Linear(x); att = softmax((k * q) / sqrt(out)) over out; relu(att * v)."""
    k, q, v = dense(p, name + ".k", x), dense(p, name + ".q", x), dense(p, name + ".v", x)
    out = k.shape[1]
    att = torch.softmax((k * q) / math.sqrt(out), dim=1)
    return torch.relu(att * v)


# ----------------------------------------------------------------------------- GRU and LSTM
# ctgraph holds Keras' layout: kernel (in, G*units), recurrent_kernel (units, G*units), gates
# side by side in columns; GRU bias (2, 3*units) (input, recurrent), LSTM bias (4*units,).
# PyTorch's nn.GRU / nn.LSTM hold weight_ih_l<k> (G*units, in), weight_hh_l<k> (G*units, units),
# bias_ih_l<k>, bias_hh_l<k> (G*units,), gates stacked in rows. Gate orders:
#   GRU:  Keras z, r, h   PyTorch r, z, n   (block i of PyTorch is block GATES["gru"][i] of Keras)
#   LSTM: Keras i, f, c, o  PyTorch i, f, g, o   (the same order)
# An LSTM's Keras bias is bias_ih + bias_hh; into PyTorch it goes as bias_ih, bias_hh = 0.
GATES = {"gru": (1, 0, 2), "lstm": (0, 1, 2, 3)}
RNN_STEPS, RNN_FEATURES = 20, 3


def reorder(kind, m, axis):
    """m's gate blocks along `axis`, permuted between the two orders (each permutation is its own inverse)."""
    blocks = torch.chunk(m, len(GATES[kind]), dim=axis) if torch.is_tensor(m) else np.split(m, len(GATES[kind]), axis=axis)
    picked = [blocks[g] for g in GATES[kind]]
    return torch.cat(picked, dim=axis) if torch.is_tensor(m) else np.concatenate(picked, axis=axis)


def keras_to_torch(kind, p, layers):
    """PyTorch's nn.GRU / nn.LSTM parameters as functions (differentiable) of ctgraph's."""
    out = {}
    for k in range(layers):
        name = f"{kind}_l{k}"
        out[f"weight_ih_l{k}"] = reorder(kind, p[name + ".kernel"], 1).T
        out[f"weight_hh_l{k}"] = reorder(kind, p[name + ".recurrent_kernel"], 1).T
        if kind == "gru":
            out[f"bias_ih_l{k}"] = reorder(kind, p[name + ".bias"][0], 0)
            out[f"bias_hh_l{k}"] = reorder(kind, p[name + ".bias"][1], 0)
        else:
            out[f"bias_ih_l{k}"] = p[name + ".bias"]
            out[f"bias_hh_l{k}"] = torch.zeros_like(p[name + ".bias"])
    return out


def torch_to_keras(kind, sd, layers):
    """ctgraph's parameters (numpy, Keras layout) from an nn.GRU / nn.LSTM state_dict (numpy)."""
    out = {}
    for k in range(layers):
        name = f"{kind}_l{k}"
        out[name + ".kernel"] = reorder(kind, sd[f"weight_ih_l{k}"].T, 1).copy()
        out[name + ".recurrent_kernel"] = reorder(kind, sd[f"weight_hh_l{k}"].T, 1).copy()
        b_ih, b_hh = reorder(kind, sd[f"bias_ih_l{k}"], 0), reorder(kind, sd[f"bias_hh_l{k}"], 0)
        out[name + ".bias"] = np.stack([b_ih, b_hh]) if kind == "gru" else b_ih + b_hh
    return out


def recurrent_module(kind, hidden, layers, dtype):
    cls = torch.nn.GRU if kind == "gru" else torch.nn.LSTM
    return cls(RNN_FEATURES, hidden, num_layers=layers, batch_first=True, dtype=dtype)


def recurrent_net(kind, hidden, layers):
    """torch.nn.GRU / nn.LSTM (its own kernels) with ctgraph's parameters, last state -> Dense 1."""
    def net(p, x):
        module = recurrent_module(kind, hidden, layers, x.dtype)
        weights = keras_to_torch(kind, p, layers)
        module._flat_weights = [weights[n] for n in module._flat_weights_names]  # what its forward reads
        out, _ = module(x.reshape(x.shape[0], RNN_STEPS, RNN_FEATURES))
        return dense(p, "dense", out[:, -1, :]), None
    return net


def init_recurrent(kind, hidden, layers):
    """PyTorch's own initialisation of the module (U(+-1/sqrt(hidden))), converted to ctgraph's layout."""
    def init(rng):
        torch.manual_seed(int(rng.integers(0, 2**31)))
        module = recurrent_module(kind, hidden, layers, torch.float64)
        sd = {k: v.detach().numpy() for k, v in module.state_dict().items()}
        p = torch_to_keras(kind, sd, layers)
        # The conversion both ways: back into PyTorch's layout, the same module (LSTM: the same bias sum).
        back = keras_to_torch(kind, {k: torch.tensor(v) for k, v in p.items()}, layers)
        for k, v in sd.items():
            if kind == "lstm" and k.startswith("bias"):
                continue
            assert np.array_equal(back[k].numpy(), v), f"{kind}: {k} does not survive the round trip"
        torch_linear(rng, p, "dense", hidden, 1)
        return p
    return init


def data_recurrent(rng, rows):
    """Noisy sine waves of random frequency and phase, 3 features per step; target: the next value."""
    t = np.arange(RNN_STEPS + 1)
    freq, phase = rng.uniform(0.1, 0.5, (rows, 1)), rng.uniform(0, 2 * np.pi, (rows, 1))
    wave = np.sin(freq * t + phase)
    x = np.stack([wave[:, :-1], np.cos(freq * t[:-1] + phase), rng.normal(0, 0.3, (rows, RNN_STEPS))], axis=2)
    return x.reshape(rows, RNN_STEPS * RNN_FEATURES), wave[:, -1:]


def recurrent_parameters(kind, hidden, layers):
    gates = 3 if kind == "gru" else 4
    count, width = 0, RNN_FEATURES
    for _ in range(layers):
        count += gates * hidden * (width + hidden) + (2 if kind == "gru" else 1) * gates * hidden
        width = hidden
    return count + hidden + 1


# ----------------------------------------------------------------------------- networks
# Each returns (output, logit): the network's output and, for the nets that end in a
# sigmoid, the value under it (else None).


def golden_feature(p, x):
    a = torch.softmax(dense(p, "attention_vec", x), dim=1)
    z = dense(p, "dense_3", dense(p, "dense_2", dense(p, "dense_1", x * a)))
    return torch.sigmoid(z), z


def attention_column(p, x):
    a = torch.softmax(dense(p, "attention_vec", x), dim=1)
    z = dense(p, "dense_2", dense(p, "dense_1", x * a))
    return torch.sigmoid(z), z


def digits_attention(p, x):
    a = torch.relu(dense(p, "dense_1", x))
    h = torch.relu(dense(p, "dense_2", x * a))
    h = torch.relu(dense(p, "dense_3", h))
    return dense(p, "dense_4", h), None


def fib_rnn(p, x):
    h = simple_rnn(p, x.reshape(x.shape[0], FIB_STEPS, 1))
    return torch.tanh(dense(p, "dense", h[:, -1, :])), None


def fib_rnn_attention(p, x):
    h = simple_rnn(p, x.reshape(x.shape[0], FIB_STEPS, 1))  # (rows, 20, 2)
    e = torch.tanh(h @ p["attention.W"] + p["attention.b"])  # (rows, 20, 1), b per step
    alpha = torch.softmax(e, dim=1)  # over the 20 steps
    context = (alpha * h).sum(dim=1)  # (rows, 2)
    return torch.tanh(dense(p, "dense", context)), None


def iris_attention(p, x):
    z = dense(p, "linear", atten(p, "atten_2", atten(p, "atten_1", x)))
    return torch.sigmoid(z), z


def iris_linear(p, x):
    h = torch.relu(dense(p, "layer_1", x))
    h = torch.relu(dense(p, "layer_2", h))
    z = dense(p, "layer_3", h)
    return torch.sigmoid(z), z


# The new primitives (issue 12), in small nets of their own.


def activations(p, x):
    h = F.gelu(dense(p, "dense_1", x))  # exact (erf) form
    h = F.leaky_relu(dense(p, "dense_2", h), 0.01)
    h = torch.sqrt(F.softplus(dense(p, "dense_3", h)))
    h = torch.abs(dense(p, "dense_4", h))
    return dense(p, "dense_5", h), None


def classifier(p, x):
    z = dense(p, "dense_2", F.gelu(dense(p, "dense_1", x)))
    return torch.softmax(z, dim=1), z


def two_heads(p, x):
    """Two inputs (x's first 15 columns: a (5, 3) sequence, flattened; the last 4: a vector), two outputs."""
    left, right = x[:, :15], x[:, 15:]
    shared = torch.tanh(dense(p, "dense_1", torch.cat([left, right], dim=1)))
    value = dense(p, "dense_2", shared)
    z = dense(p, "dense_3", torch.cat([shared, right], dim=1))
    return (value, torch.softmax(z, dim=1)), z


# ctgraph's dropout mask (include/ctgraph/ops/dropout.hpp): counter-based, from the model's seed
# (parity_test.cpp builds every model with seed 12345), the optimizer step and the dropout's index.
MODEL_SEED = 12345
M64 = (1 << 64) - 1
dropout_step = 0  # the step whose mask a training forward pass uses: set by reference_case


def mix64(z):
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & M64
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & M64
    return z ^ (z >> 31)


def dropout(x, rate, stream=0):
    noise = mix64((mix64(MODEL_SEED) + dropout_step) & M64)
    flat = x.reshape(-1).shape[0]
    u = [(mix64((noise + 0x9E3779B97F4A7C15 * (i + 1) + 0xD1B54A32D192ED03 * stream) & M64) >> 11) * 2.0**-53
         for i in range(flat)]
    keep = torch.tensor([1.0 if v >= rate else 0.0 for v in u], dtype=x.dtype).reshape(x.shape)
    return x * keep * (1.0 / (1.0 - rate))


def conv1d_same(x, w, b, stride):
    """Keras' Conv1D(padding='same') on x (rows, T, C), w (K, C, F): the odd padding on the right."""
    length, k = x.shape[1], w.shape[0]
    out = -(-length // stride)
    total = max((out - 1) * stride + k - length, 0)
    xt = F.pad(x.transpose(1, 2), (total // 2, total - total // 2))
    return F.conv1d(xt, w.permute(2, 1, 0), b, stride=stride).transpose(1, 2)


def sequence_layers(p, x):
    e = p["embedding_1.embeddings"][x.long()]  # (rows, 9, 4)
    c = torch.tanh(conv1d_same(e, p["conv1d_1.kernel"], p["conv1d_1.bias"], 2))  # (rows, 5, 5)
    c = torch.tanh(F.conv1d(c.transpose(1, 2), p["conv1d_2.kernel"].permute(2, 1, 0), p["conv1d_2.bias"]).transpose(1, 2))
    m = F.max_pool1d(c.transpose(1, 2), 2, 1).transpose(1, 2)  # (rows, 3, 6) -> (rows, 2, 6)
    a = F.avg_pool1d(c.transpose(1, 2), 2, 1).transpose(1, 2)
    j = torch.cat([m, a], dim=2)[:, 0:2, 1:12]  # (rows, 2, 11)
    n = F.layer_norm(j, (11,), p["layer_normalization_1.gamma"], p["layer_normalization_1.beta"], eps=1e-5)
    d = dropout(n.reshape(n.shape[0], -1) + 0.1, 0.25)
    z = dense(p, "dense_1", d)
    return torch.softmax(z, dim=1), z


# ----------------------------------------------------------------------------- losses


def bce_from_logit(out, logit, y):
    return F.binary_cross_entropy_with_logits(logit, y)  # softplus(z) - y z, mean


def mse(out, logit, y):
    return F.mse_loss(out, y)  # mean over rows and outputs


def huber(out, logit, y):
    return F.huber_loss(out, y, delta=1.0)  # mean over rows and outputs


def mae(out, logit, y):
    return F.l1_loss(out, y)


def categorical_crossentropy(out, logit, y):
    return F.cross_entropy(logit, y[:, 0].long())  # -log softmax(z)_t, from the logit


def two_losses(out, logit, y):
    """0.7 MSE of the value against y[:, 0] + 0.3 cross-entropy of the class y[:, 1]."""
    return 0.7 * F.mse_loss(out[0], y[:, 0:1]) + 0.3 * F.cross_entropy(logit, y[:, 1].long())


def cross_entropy_on_sigmoid(out, logit, y):
    return F.cross_entropy(out, y[:, 0].long())  # the sigmoid outputs are the logits


# ----------------------------------------------------------------------------- optimizers


class KerasAdam:
    """tf.keras Adam: epsilon added before the bias correction.
    p -= lr sqrt(1 - b2^t) / (1 - b1^t) * m / (sqrt(v) + eps)."""

    def __init__(self, params, lr, beta1=0.9, beta2=0.999, eps=1e-7):
        self.params = list(params)
        self.lr, self.beta1, self.beta2, self.eps = lr, beta1, beta2, eps
        self.m = [torch.zeros_like(q) for q in self.params]
        self.v = [torch.zeros_like(q) for q in self.params]
        self.t = 0

    def zero_grad(self):
        for q in self.params:
            q.grad = None

    @torch.no_grad()
    def step(self):
        self.t += 1
        step = self.lr * math.sqrt(1.0 - self.beta2**self.t) / (1.0 - self.beta1**self.t)
        for q, m, v in zip(self.params, self.m, self.v):
            g = q.grad
            m.mul_(self.beta1).add_((1.0 - self.beta1) * g)
            v.mul_(self.beta2).add_((1.0 - self.beta2) * g * g)
            q.sub_(step * m / (v.sqrt() + self.eps))


def keras_adam(lr):
    return lambda params: KerasAdam(params, lr)


def torch_adam(lr, weight_decay):
    return lambda params: torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)


# ----------------------------------------------------------------------------- initial values and data
# Drawn in float64 with numpy from a fixed seed per case, then rounded to the dtype, so
# the f32 and f64 references start from the same values.


def glorot(rng, n_in, n_out):
    limit = math.sqrt(6.0 / (n_in + n_out))
    return rng.uniform(-limit, limit, (n_in, n_out))


def small_bias(rng, n):
    return rng.uniform(-0.1, 0.1, n)  # non-zero, so that bias gradients and updates are exercised


def keras_dense(rng, p, name, n_in, n_out):
    p[name + ".kernel"] = glorot(rng, n_in, n_out)
    p[name + ".bias"] = small_bias(rng, n_out)


def torch_linear(rng, p, name, n_in, n_out):
    """nn.Linear: weight and bias U(-1/sqrt(in), 1/sqrt(in)); kernel stored (in, out)."""
    bound = 1.0 / math.sqrt(n_in)
    p[name + ".kernel"] = rng.uniform(-bound, bound, (n_out, n_in)).T.copy()
    p[name + ".bias"] = rng.uniform(-bound, bound, n_out)


def orthogonal(rng, n):
    q, r = np.linalg.qr(rng.normal(size=(n, n)))
    return q * np.sign(np.diag(r))


def init_golden_feature(rng):
    p = {}
    keras_dense(rng, p, "attention_vec", 20, 20)
    keras_dense(rng, p, "dense_1", 20, 100)
    keras_dense(rng, p, "dense_2", 100, 20)
    keras_dense(rng, p, "dense_3", 20, 1)
    return p


def data_golden_feature(rng, rows):
    y = rng.integers(0, 2, (rows, 1)).astype(np.float64)
    x = rng.uniform(0.0, 1.0, (rows, 20))
    x[:, 4] = y[:, 0] + rng.uniform() / 500.0
    return x, y


def init_attention_column(rng):
    p = {}
    keras_dense(rng, p, "attention_vec", 32, 32)
    keras_dense(rng, p, "dense_1", 32, 64)
    keras_dense(rng, p, "dense_2", 64, 1)
    return p


def data_attention_column(rng, rows):
    x = rng.normal(size=(rows, 32))
    y = rng.integers(0, 2, (rows, 1)).astype(np.float64)
    x[:, 1] = y[:, 0]
    return x, y


def init_digits_attention(rng):
    p = {}
    keras_dense(rng, p, "dense_1", 6, 6)
    keras_dense(rng, p, "dense_2", 6, 6)
    keras_dense(rng, p, "dense_3", 6, 3)
    keras_dense(rng, p, "dense_4", 3, 1)
    return p


def data_digits_attention(rng, rows):
    d = rng.integers(0, 10, (rows, 6))
    a = d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]
    b = d[:, 3] * 100 + d[:, 4] * 10 + d[:, 5]
    return d / 10.0, (np.abs(a - b) / 1000.0).reshape(rows, 1)


def init_fib_rnn(rng):
    return {
        "rnn.kernel": glorot(rng, 1, 2),
        "rnn.recurrent_kernel": orthogonal(rng, 2),
        "rnn.bias": small_bias(rng, 2),
        "dense.kernel": glorot(rng, 2, 1),
        "dense.bias": small_bias(rng, 1),
    }


def init_fib_rnn_attention(rng):
    p = init_fib_rnn(rng)
    p["attention.W"] = rng.normal(0.0, 0.05, (2, 1))
    p["attention.b"] = rng.normal(0.0, 0.1, (FIB_STEPS, 1))
    return p


def data_fib(rng, rows):
    """Windows of the min-max scaled Fibonacci sequence (SEEDS.md), taken near its end
    so that they are not all zeros: values from ~1e-10 up to ~0.6."""
    seq, a, b = [], 0.0, 1.0
    for _ in range(1200):
        v = a + b
        a, b = b, v
        seq.append(v)
    seq = np.array(seq)
    seq = (seq - seq[0]) / (seq[-1] - seq[0])
    starts = rng.integers(1200 - FIB_STEPS - 30, 1200 - FIB_STEPS, rows)
    x = np.stack([seq[s : s + FIB_STEPS] for s in starts])
    y = np.array([[seq[s + FIB_STEPS]] for s in starts])
    return x, y


def init_iris_attention(rng):
    p = {}
    for name, n_in, n_out in (("atten_1", 4, 10), ("atten_2", 10, 20)):
        for part in ("k", "q", "v"):
            torch_linear(rng, p, f"{name}.{part}", n_in, n_out)
    torch_linear(rng, p, "linear", 20, 3)
    return p


def init_iris_linear(rng):
    p = {}
    torch_linear(rng, p, "layer_1", 4, 10)
    torch_linear(rng, p, "layer_2", 10, 20)
    torch_linear(rng, p, "layer_3", 20, 3)
    return p


def init_activations(rng):
    p = {}
    for i, (n_in, n_out) in enumerate(((6, 8), (8, 8), (8, 8), (8, 4), (4, 1)), start=1):
        keras_dense(rng, p, f"dense_{i}", n_in, n_out)
    return p


def data_regression(rng, rows):
    x = rng.normal(size=(rows, 6))
    return x, rng.normal(0.0, 2.0, (rows, 1))  # targets spread past huber's delta = 1


def init_classifier(rng):
    p = {}
    keras_dense(rng, p, "dense_1", 6, 8)
    keras_dense(rng, p, "dense_2", 8, 3)
    return p


def data_classes(rng, rows):
    return rng.normal(size=(rows, 6)), rng.integers(0, 3, (rows, 1)).astype(np.float64)


def init_sequence_layers(rng):
    return {
        "embedding_1.embeddings": rng.normal(0.0, 1.0, (10, 4)),
        "conv1d_1.kernel": rng.uniform(-0.5, 0.5, (3, 4, 5)),
        "conv1d_1.bias": small_bias(rng, 5),
        "conv1d_2.kernel": rng.uniform(-0.5, 0.5, (3, 5, 6)),
        "conv1d_2.bias": small_bias(rng, 6),
        "layer_normalization_1.gamma": 1.0 + rng.uniform(-0.2, 0.2, 11),
        "layer_normalization_1.beta": small_bias(rng, 11),
        "dense_1.kernel": glorot(rng, 22, 3),
        "dense_1.bias": small_bias(rng, 3),
    }


def data_tokens(rng, rows):
    return rng.integers(0, 10, (rows, 9)).astype(np.float64), rng.integers(0, 3, (rows, 1)).astype(np.float64)


def init_two_heads(rng):
    p = {}
    keras_dense(rng, p, "dense_1", 19, 8)
    keras_dense(rng, p, "dense_2", 8, 1)
    keras_dense(rng, p, "dense_3", 12, 3)
    return p


def data_two_heads(rng, rows):
    y = np.stack([rng.normal(size=rows), rng.integers(0, 3, rows).astype(np.float64)], axis=1)
    return rng.normal(size=(rows, 19)), y


IRIS_MEANS = np.array([[5.0, 3.4, 1.5, 0.25], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]])


def data_iris(rng, rows):
    c = rng.integers(0, 3, rows)
    x = IRIS_MEANS[c] + rng.normal(0.0, 0.3, (rows, 4))
    return x, c.astype(np.float64).reshape(rows, 1)


# ----------------------------------------------------------------------------- cases


class Case:
    def __init__(self, name, seed, net, init, data, loss, optimizer, width, outputs, rows, parameters):
        self.name, self.seed, self.net, self.init, self.data = name, seed, net, init, data
        self.loss, self.optimizer, self.width, self.outputs = loss, optimizer, width, outputs
        self.rows, self.parameters = rows, parameters


# Seeds: fixed, one per case. digits_attention's, iris_attention's and iris_linear's were
# chosen among 60 for few dead relu units at the start (more of the gradient is tested)
# and relu inputs kept away from 0 over the 10 steps (|input| >= 3e-5 for digits, 1e-4 for
# iris_linear; iris_attention's sign is v's, |v| >= 5e-5), far above float32 rounding, so
# that no relu flips between ctgraph and PyTorch.
CASES = {
    c.name: c
    for c in (
        Case("golden_feature", 104, golden_feature, init_golden_feature, data_golden_feature,
             bce_from_logit, keras_adam(0.003), 20, 1, 100, 4561),
        Case("attention_column", 103, attention_column, init_attention_column, data_attention_column,
             bce_from_logit, keras_adam(0.001), 32, 1, 50, 3233),
        Case("digits_attention", 116, digits_attention, init_digits_attention, data_digits_attention,
             mse, keras_adam(0.001), 6, 1, 20, 109),
        Case("fib_rnn", 101, fib_rnn, init_fib_rnn, data_fib, mse, keras_adam(0.001), FIB_STEPS, 1, 1, 11),
        Case("fib_rnn_attention", 105, fib_rnn_attention, init_fib_rnn_attention, data_fib,
             mse, keras_adam(0.001), FIB_STEPS, 1, 1, 33),
        Case("iris_attention", 111, iris_attention, init_iris_attention, data_iris,
             cross_entropy_on_sigmoid, torch_adam(0.005, 1e-3), 4, 3, 100, 873),
        Case("iris_linear", 108, iris_linear, init_iris_linear, data_iris,
             cross_entropy_on_sigmoid, torch_adam(0.005, 1e-3), 4, 3, 100, 333),
        Case("activations_huber", 121, activations, init_activations, data_regression,
             huber, keras_adam(0.01), 6, 1, 20, 241),
        Case("activations_mae", 122, activations, init_activations, data_regression,
             mae, keras_adam(0.01), 6, 1, 20, 241),
        Case("categorical_crossentropy", 123, classifier, init_classifier, data_classes,
             categorical_crossentropy, torch_adam(0.01, 0.0), 6, 3, 20, 83),
        Case("sequence_layers", 124, sequence_layers, init_sequence_layers, data_tokens,
             categorical_crossentropy, torch_adam(0.01, 0.0), 9, 3, 20, 292),
        Case("two_inputs_two_outputs", 125, two_heads, init_two_heads, data_two_heads,
             two_losses, keras_adam(0.01), 19, 4, 20, 208),
    )
}
# GRU and LSTM: one layer and two stacked, batch 1 and 16, hidden 8 and 32 (each pair of the
# three choices appears), T = 20, 3 features, a Dense head, MSE, Keras Adam.
for _kind, _seed in (("gru", 120), ("lstm", 130)):
    for _layers, _hidden, _rows in ((1, 8, 1), (1, 32, 16), (2, 32, 1), (2, 8, 16)):
        _name = f"{_kind}_{_layers}x{_hidden}_b{_rows}"
        CASES[_name] = Case(_name, _seed + len(CASES), recurrent_net(_kind, _hidden, _layers),
                            init_recurrent(_kind, _hidden, _layers), data_recurrent, mse, keras_adam(0.003),
                            RNN_STEPS * RNN_FEATURES, 1, _rows, recurrent_parameters(_kind, _hidden, _layers))


def draw(case):
    """The case's initial parameters and batch, in float64 numpy arrays."""
    rng = np.random.default_rng(case.seed)
    init = case.init(rng)
    x, y = case.data(rng, case.rows)
    count = sum(v.size for v in init.values())
    assert count == case.parameters, f"{case.name}: {count} parameters, SEEDS.md says {case.parameters}"
    assert x.shape == (case.rows, case.width) and y.shape[0] == case.rows
    return init, x, y


def to_torch(arrays, dtype, grad=False):
    return {k: torch.tensor(v, dtype=dtype, requires_grad=grad) for k, v in arrays.items()}


def to_numpy(tensors, np_dtype):
    return {k: np.ascontiguousarray(t.detach().numpy().astype(np_dtype, copy=True)) for k, t in tensors.items()}


def loss_of(case, p, x, y):
    out, logit = case.net(p, x)
    return case.loss(out, logit, y)


def reference_case(case, dtype):
    global dropout_step
    init, x_np, y_np = draw(case)
    p = to_torch(init, dtype, grad=True)
    x, y = torch.tensor(x_np, dtype=dtype), torch.tensor(y_np, dtype=dtype)
    initial = {k: t.detach().clone() for k, t in p.items()}

    dropout_step = 0
    loss = loss_of(case, p, x, y)
    grads = torch.autograd.grad(loss, list(p.values()))
    grad = dict(zip(p.keys(), grads))

    opt = case.optimizer(list(p.values()))
    for step in range(STEPS):
        dropout_step = step  # ctgraph's step t draws the mask of t (its optimizer step counter before the update)
        opt.zero_grad()
        loss_of(case, p, x, y).backward()
        opt.step()
    return initial, x, y, grad, p, loss.detach().reshape(1)


def write_reference(out_dir):
    for case in CASES.values():
        for tag, dtype, np_dtype in DTYPES:
            initial, x, y, grad, after, loss = reference_case(case, dtype)
            folder = os.path.join(out_dir, f"{case.name}_{tag}")
            os.makedirs(folder, exist_ok=True)
            np.savez(os.path.join(folder, "init.npz"), **to_numpy(initial, np_dtype))
            np.savez(os.path.join(folder, "batch.npz"), x=x.numpy().astype(np_dtype), y=y.numpy().astype(np_dtype))
            np.savez(os.path.join(folder, "grad.npz"), **to_numpy(grad, np_dtype))
            np.savez(os.path.join(folder, "after.npz"), **to_numpy(after, np_dtype))
            np.savez(os.path.join(folder, "loss.npz"), loss=loss.numpy().astype(np_dtype))
            print(f"wrote {folder}: {case.parameters} parameters, {case.rows} rows, loss {loss.item():.9g}")
    return 0


# ----------------------------------------------------------------------------- check-predictions


def fail(message):
    print(f"parity: FAIL: {message}")
    return 1


def load_npz(path):
    if not os.path.isfile(path):
        raise FileNotFoundError(path)
    with np.load(path, allow_pickle=False) as z:
        return {k: z[k] for k in z.files}


def check_predictions(folder, name):
    case = CASES[name]
    trained_path = os.path.join(folder, f"{name}_trained.npz")
    predict_path = os.path.join(folder, f"{name}_predict.npz")
    try:
        trained, predicted = load_npz(trained_path), load_npz(predict_path)
    except FileNotFoundError as e:
        return fail(f"{e.args[0]}: no such file")
    except Exception as e:  # a file np.load cannot read
        return fail(f"cannot read: {e}")

    expected = draw(case)[0]
    missing = [k for k in expected if k not in trained]
    extra = [k for k in trained if k not in expected]
    if missing or extra:
        text = []
        if missing:
            text.append("missing parameter(s) " + ", ".join(missing))
        if extra:
            text.append("unexpected parameter(s) " + ", ".join(extra))
        return fail(f"{trained_path}: " + "; ".join(text) + f" (expected {', '.join(expected)})")
    for k, v in expected.items():
        if trained[k].shape != v.shape:
            return fail(f"{trained_path}: {k} has shape {trained[k].shape}, expected {v.shape}")
        if trained[k].dtype not in (np.float32, np.float64):
            return fail(f"{trained_path}: {k} has dtype {trained[k].dtype}, expected float32 or float64")

    for key in ("x", "prediction"):
        if key not in predicted:
            return fail(f"{predict_path}: no array '{key}' (it has {', '.join(predicted) or 'none'})")
    x, got = predicted["x"], predicted["prediction"]
    if x.ndim != 2 or x.shape[1] != case.width:
        return fail(f"{predict_path}: x has shape {x.shape}, expected (rows, {case.width})")
    if got.shape != (x.shape[0], case.outputs):
        return fail(f"{predict_path}: prediction has shape {got.shape}, expected ({x.shape[0]}, {case.outputs})")

    p = to_torch(trained, torch.float64)
    with torch.no_grad():
        want = case.net(p, torch.tensor(x, dtype=torch.float64))[0].numpy()
    got = got.astype(np.float64)
    diff = np.abs(want - got)
    tolerance = np.maximum(RTOL * np.abs(want), ATOL)
    ratio = np.where(np.isfinite(diff), diff / tolerance, np.inf)
    worst = np.unravel_index(int(np.argmax(ratio)), ratio.shape)
    summary = (f"{name}: {got.shape[0]} rows x {got.shape[1]} outputs, largest |torch - ctgraph| "
               f"{diff.max():.3g}, largest difference / tolerance {ratio.max():.3g} "
               f"(tolerance max({RTOL:g} |torch|, {ATOL:g}))")
    if ratio[worst] <= 1.0:
        print(f"parity: ok: {summary}")
        return 0
    print(f"parity: FAIL: {summary}")
    print(f"  worst element: row {worst[0]}, output {worst[1]}: torch {want[worst]:.17g}, "
          f"ctgraph {got[worst]:.17g}, difference {diff[worst]:.3g} > tolerance {tolerance[worst]:.3g}")
    return 1


# ----------------------------------------------------------------------------- main


def main(argv=None):
    parser = argparse.ArgumentParser(
        prog="parity.py",
        description="PyTorch reference for ctgraph's parity tests (see tests/parity/README.md).")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    ref = commands.add_parser("reference", help="write the reference files of every case into OUT_DIR")
    ref.add_argument("out_dir", metavar="OUT_DIR")
    chk = commands.add_parser("check-predictions", help="compare DIR/CASE_predict.npz with PyTorch")
    chk.add_argument("dir", metavar="DIR")
    chk.add_argument("case", metavar="CASE", choices=list(CASES), help="one of: " + ", ".join(CASES))
    args = parser.parse_args(argv)  # exits 2 with a usage message on bad usage
    if args.command is None:
        parser.print_usage(sys.stderr)
        print("parity.py: error: a command is required (reference or check-predictions)", file=sys.stderr)
        return 2

    torch.set_num_threads(1)
    if args.command == "reference":
        return write_reference(args.out_dir)
    return check_predictions(args.dir, args.case)


if __name__ == "__main__":
    sys.exit(main())
