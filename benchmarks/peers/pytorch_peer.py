#!/usr/bin/python3
"""PyTorch eager peer of ctgraph's speed comparison (see README.md beside this file).

  pytorch_peer.py GRAPH [--epochs E] [--seed S]

Builds GRAPH as an ordinary PyTorch model (nn.Linear layers, the seed's loss and
optimizer), generates the seed's training data, trains one untimed warm-up epoch and
then E timed epochs (by default as many as fill at least one second), one thread, and
prints one line: `GRAPH samples_per_second=<timed samples / timed seconds>`.
Exit 3 when GRAPH is not one this peer knows; 2 on a bad command line.
"""
import argparse
import math
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

GRAPHS = ("golden_feature", "attention_column", "digits_attention", "fib_rnn", "fib_rnn_attention",
          "iris_attention", "iris_linear", "text_classifier", "normalized_regression",
          "gru_16_t20", "lstm_16_t20", "gru_32_t50", "lstm_32_t50")
MIN_SECONDS = 1.0  # the default number of timed epochs is the least that takes this long
FIB_STEPS, FIB_LENGTH, FIB_TRAIN = 20, 1200, 826


# ----------------------------------------------------------------------------- layers


def keras_dense(n_in, n_out):
    """nn.Linear initialised as Keras' Dense: glorot_uniform kernel, zero bias."""
    layer = nn.Linear(n_in, n_out)
    nn.init.xavier_uniform_(layer.weight)
    nn.init.zeros_(layer.bias)
    return layer


class KerasSimpleRNN(nn.Module):
    """Keras' SimpleRNN(units) over (rows, T, 1): h_t = tanh(x_t W + h_{t-1} U + b), h_0 = 0.
    nn.RNN (its loop runs in C++) with its second bias held at zero, so that the trainable
    parameters are Keras' 1*u + u*u + u."""

    def __init__(self, units):
        super().__init__()
        self.rnn = nn.RNN(1, units, nonlinearity="tanh", batch_first=True)
        nn.init.xavier_uniform_(self.rnn.weight_ih_l0)
        nn.init.orthogonal_(self.rnn.weight_hh_l0)
        nn.init.zeros_(self.rnn.bias_ih_l0)
        nn.init.zeros_(self.rnn.bias_hh_l0)
        self.rnn.bias_hh_l0.requires_grad_(False)

    def forward(self, x):
        return self.rnn(x)[0]  # all states (rows, T, units)


# ----------------------------------------------------------------------------- networks


class GoldenFeature(nn.Module):
    """p = softmax(Dense 20 (x)); m = x * p; Dense 100; Dense 20; Dense 1 (the sigmoid is in the loss)."""

    def __init__(self):
        super().__init__()
        self.attention_vec = keras_dense(20, 20)
        self.dense_1, self.dense_2, self.dense_3 = keras_dense(20, 100), keras_dense(100, 20), keras_dense(20, 1)

    def forward(self, x):
        m = x * torch.softmax(self.attention_vec(x), dim=1)
        return self.dense_3(self.dense_2(self.dense_1(m)))


class AttentionColumn(nn.Module):
    """p = softmax(Dense 32 (x)); m = x * p; Dense 64; Dense 1 (the sigmoid is in the loss)."""

    def __init__(self):
        super().__init__()
        self.attention_vec = keras_dense(32, 32)
        self.dense_1, self.dense_2 = keras_dense(32, 64), keras_dense(64, 1)

    def forward(self, x):
        m = x * torch.softmax(self.attention_vec(x), dim=1)
        return self.dense_2(self.dense_1(m))


class DigitsAttention(nn.Module):
    """a = relu(Dense 6 (x)); m = x * a; relu(Dense 6); relu(Dense 3); Dense 1."""

    def __init__(self):
        super().__init__()
        self.dense_1, self.dense_2 = keras_dense(6, 6), keras_dense(6, 6)
        self.dense_3, self.dense_4 = keras_dense(6, 3), keras_dense(3, 1)

    def forward(self, x):
        m = x * torch.relu(self.dense_1(x))
        return self.dense_4(torch.relu(self.dense_3(torch.relu(self.dense_2(m)))))


class FibRnn(nn.Module):
    """SimpleRNN(2) over 20 steps; the last state -> Dense 1, tanh."""

    def __init__(self):
        super().__init__()
        self.rnn, self.dense = KerasSimpleRNN(2), keras_dense(2, 1)

    def forward(self, x):
        h = self.rnn(x.unsqueeze(2))
        return torch.tanh(self.dense(h[:, -1, :]))


class FibRnnAttention(nn.Module):
    """SimpleRNN(2) states H (20 x 2); e = tanh(H W + b); alpha = softmax over the steps;
    context = sum_t alpha_t h_t -> Dense 1, tanh."""

    def __init__(self):
        super().__init__()
        self.rnn, self.dense = KerasSimpleRNN(2), keras_dense(2, 1)
        self.attention_w = nn.Parameter(torch.randn(2, 1) * 0.05)
        self.attention_b = nn.Parameter(torch.zeros(FIB_STEPS, 1))

    def forward(self, x):
        h = self.rnn(x.unsqueeze(2))  # (rows, 20, 2)
        alpha = torch.softmax(torch.tanh(h @ self.attention_w + self.attention_b), dim=1)
        return torch.tanh(self.dense((alpha * h).sum(dim=1)))


class Atten(nn.Module):
    """iris' layer: k, q, v = Linear(x); att = softmax((k * q) / sqrt(out)); relu(att * v)."""

    def __init__(self, n_in, n_out):
        super().__init__()
        self.k, self.q, self.v = nn.Linear(n_in, n_out), nn.Linear(n_in, n_out), nn.Linear(n_in, n_out)
        self.scale = 1.0 / math.sqrt(n_out)

    def forward(self, x):
        att = torch.softmax(self.k(x) * self.q(x) * self.scale, dim=1)
        return torch.relu(att * self.v(x))


class IrisAttention(nn.Module):
    """Atten(4 -> 10), Atten(10 -> 20), Linear(20 -> 3), sigmoid."""

    def __init__(self):
        super().__init__()
        self.atten_1, self.atten_2, self.linear = Atten(4, 10), Atten(10, 20), nn.Linear(20, 3)

    def forward(self, x):
        return torch.sigmoid(self.linear(self.atten_2(self.atten_1(x))))


class IrisLinear(nn.Module):
    """Linear 4->10, relu, Linear 10->20, relu, Linear 20->3, sigmoid."""

    def __init__(self):
        super().__init__()
        self.layer_1, self.layer_2, self.layer_3 = nn.Linear(4, 10), nn.Linear(10, 20), nn.Linear(20, 3)

    def forward(self, x):
        return torch.sigmoid(self.layer_3(torch.relu(self.layer_2(torch.relu(self.layer_1(x))))))


class TextClassifier(nn.Module):
    """examples/text_classifier: Embedding(40, 16) of 24 ids; Conv1d(16 -> 32, kernel 2), relu;
    max over the positions; Dense 32, relu; Dense 3 (the softmax is in the loss)."""

    def __init__(self):
        super().__init__()
        self.embedding = nn.Embedding(40, 16)
        self.conv = nn.Conv1d(16, 32, 2)
        self.dense_1, self.dense_2 = keras_dense(32, 32), keras_dense(32, 3)

    def forward(self, ids):
        e = self.embedding(ids).transpose(1, 2)  # (rows, 16, 24): channels first, as Conv1d takes them
        h = torch.relu(self.conv(e)).amax(dim=2)
        return self.dense_2(torch.relu(self.dense_1(h)))


class NormalizedRegression(nn.Module):
    """examples/normalized_regression: two blocks of Dense 64, gelu, LayerNorm, Dropout(0.1); Dense 1."""

    def __init__(self):
        super().__init__()
        self.block_1 = nn.Sequential(keras_dense(8, 64), nn.GELU(), nn.LayerNorm(64), nn.Dropout(0.1))
        self.block_2 = nn.Sequential(keras_dense(64, 64), nn.GELU(), nn.LayerNorm(64), nn.Dropout(0.1))
        self.dense = keras_dense(64, 1)

    def forward(self, x):
        return self.dense(self.block_2(self.block_1(x)))


class Recurrent(nn.Module):
    """nn.GRU or nn.LSTM(1 -> units) over (rows, T, 1); the last state -> Dense 1. The LSTM's
    second bias (Keras has one) is held at zero and not trained, so that the trainable counts are
    Keras'; the GRU's two biases are Keras' reset_after form."""

    def __init__(self, cell, units):
        super().__init__()
        self.rnn = cell(1, units, batch_first=True)
        if cell is nn.LSTM:
            nn.init.zeros_(self.rnn.bias_hh_l0)
            self.rnn.bias_hh_l0.requires_grad_(False)
        self.dense = keras_dense(units, 1)

    def forward(self, x):
        return self.dense(self.rnn(x.unsqueeze(2))[0][:, -1, :])


# ----------------------------------------------------------------------------- data


def data_golden_feature(g):
    n = 90_000  # 100,000 less the 10% held out
    y = torch.randint(0, 2, (n, 1), generator=g).float()
    x = torch.rand(n, 20, generator=g)
    x[:, 4] = y[:, 0] + torch.rand(1, generator=g).item() / 500.0
    return x, y


def data_attention_column(g):
    n = 5_000  # 10,000 less the half held out
    x = torch.randn(n, 32, generator=g)
    y = torch.randint(0, 2, (n, 1), generator=g).float()
    x[:, 1] = y[:, 0]
    return x, y


def data_digits_attention(g):
    d = torch.randint(0, 10, (300_000, 6), generator=g)
    a = d[:, 0] * 100 + d[:, 1] * 10 + d[:, 2]
    b = d[:, 3] * 100 + d[:, 4] * 10 + d[:, 5]
    return d.float() / 10.0, ((a - b).abs().float() / 1000.0).unsqueeze(1)


def data_fib(g):
    """The min-max scaled sequence in double, its 1180 windows, shuffled, the first 826."""
    seq, a, b = [], 0.0, 1.0
    for _ in range(FIB_LENGTH):
        v = a + b
        a, b = b, v
        seq.append(v)
    s = torch.tensor(seq, dtype=torch.float64)
    s = (s - s[0]) / (s[-1] - s[0])
    windows = s.unfold(0, FIB_STEPS, 1)[: FIB_LENGTH - FIB_STEPS]
    targets = s[FIB_STEPS:].unsqueeze(1)
    order = torch.randperm(len(windows), generator=g)[:FIB_TRAIN]
    return windows[order].float(), targets[order].float()


IRIS_MEANS = torch.tensor([[5.0, 3.4, 1.5, 0.25], [5.9, 2.8, 4.3, 1.3], [6.6, 3.0, 5.6, 2.0]])


def data_iris(g):
    """120 Iris-like rows: three classes around the species' means."""
    c = torch.randint(0, 3, (120,), generator=g)
    return IRIS_MEANS[c] + 0.3 * torch.randn(120, 4, generator=g), c


TEXT_PHRASES = (((0, 1), (2, 3)), ((1, 0), (3, 4)), ((4, 5), (5, 2)))  # two per class


def data_text_classifier(g):
    """6,000 sentences of 24 ids, as examples/text_classifier makes them: fillers 6..39, three
    stray words < 6 alone, one phrase of two words of the label's class."""
    n, length = 6_000, 24
    ids = torch.randint(6, 40, (n, length), generator=g)
    labels = torch.randint(0, 3, (n,), generator=g)
    stray = torch.randint(0, length // 3, (n, 3), generator=g) * 3
    stray_words = torch.randint(0, 6, (n, 3), generator=g)
    which = torch.randint(0, 2, (n,), generator=g)
    at = 1 + 3 * torch.randint(0, length // 3 - 1, (n,), generator=g)
    for i in range(n):
        ids[i, stray[i]] = stray_words[i]
        first, second = TEXT_PHRASES[labels[i]][which[i]]
        ids[i, at[i]], ids[i, at[i] + 1] = first, second
    return ids, labels


def data_normalized_regression(g):
    """8,000 rows of 8 features uniform in [-1, 1); y = sin(3 x0) + x1 x2 - |x3| + 0.05 N(0, 1)."""
    x = torch.rand(8_000, 8, generator=g) * 2 - 1
    y = torch.sin(3 * x[:, 0]) + x[:, 1] * x[:, 2] - x[:, 3].abs() + 0.05 * torch.randn(8_000, generator=g)
    return x, y.unsqueeze(1)


def sine_windows(n, steps):
    """benchmarks/graphs.hpp's sine_windows: window i is steps 3 i .. 3 i + T - 1 of
    sin(0.07 t) + 0.5 sin(0.23 t), its target the next step."""
    t = (3 * torch.arange(n, dtype=torch.float64)).unsqueeze(1) + torch.arange(steps + 1, dtype=torch.float64)
    s = (torch.sin(0.07 * t) + 0.5 * torch.sin(0.23 * t)).float()
    return s[:, :steps].contiguous(), s[:, steps:].contiguous()


# ----------------------------------------------------------------------------- the graphs


def bce_from_logit(logit, y):
    return F.binary_cross_entropy_with_logits(logit, y)  # softplus(z) - y z, as tf.keras from the sigmoid


def cross_entropy_on_sigmoid(out, y):
    return F.cross_entropy(out, y)  # the sigmoid outputs taken as logits, as the tutorial does


def keras_adam(lr):
    # torch's Adam in place of Keras' form (epsilon after the bias correction), with Keras' epsilon
    return lambda params: torch.optim.Adam(params, lr=lr, eps=1e-7)


def torch_adam(lr, weight_decay):
    return lambda params: torch.optim.Adam(params, lr=lr, weight_decay=weight_decay)


# name: (model, parameters, data, batch, loss, optimizer)
SPECS = {
    "golden_feature": (GoldenFeature, 4561, data_golden_feature, 256, bce_from_logit, keras_adam(0.003)),
    "attention_column": (AttentionColumn, 3233, data_attention_column, 64, bce_from_logit, keras_adam(0.001)),
    "digits_attention": (DigitsAttention, 109, data_digits_attention, 32, F.mse_loss, keras_adam(0.001)),
    "fib_rnn": (FibRnn, 11, data_fib, 1, F.mse_loss, keras_adam(0.001)),
    "fib_rnn_attention": (FibRnnAttention, 33, data_fib, 1, F.mse_loss, keras_adam(0.001)),
    "iris_attention": (IrisAttention, 873, data_iris, 120, cross_entropy_on_sigmoid, torch_adam(0.005, 1e-3)),
    "iris_linear": (IrisLinear, 333, data_iris, 120, cross_entropy_on_sigmoid, torch_adam(0.005, 1e-3)),
    "text_classifier": (TextClassifier, 2851, data_text_classifier, 64, F.cross_entropy, keras_adam(0.003)),
    "normalized_regression": (NormalizedRegression, 5057, data_normalized_regression, 64, F.mse_loss,
                              keras_adam(0.003)),
    # issue 9's recurrent nets: batch 1 over 1,000 windows of 20 steps, batch 32 over 8,000 of 50
    "gru_16_t20": (lambda: Recurrent(nn.GRU, 16), 929, lambda g: sine_windows(1_000, 20), 1, F.mse_loss,
                   keras_adam(0.001)),
    "lstm_16_t20": (lambda: Recurrent(nn.LSTM, 16), 1169, lambda g: sine_windows(1_000, 20), 1, F.mse_loss,
                    keras_adam(0.001)),
    "gru_32_t50": (lambda: Recurrent(nn.GRU, 32), 3393, lambda g: sine_windows(8_000, 50), 32, F.mse_loss,
                   keras_adam(0.001)),
    "lstm_32_t50": (lambda: Recurrent(nn.LSTM, 32), 4385, lambda g: sine_windows(8_000, 50), 32, F.mse_loss,
                    keras_adam(0.001)),
}


def train_epoch(net, loss_fn, opt, x, y, batch, g):
    """One epoch over (x, y), shuffled, in batches of `batch` (the last one may be partial)."""
    order = torch.randperm(len(x), generator=g)
    xs, ys = x[order], y[order]
    for start in range(0, len(x), batch):
        xb, yb = xs[start : start + batch], ys[start : start + batch]
        opt.zero_grad(set_to_none=True)
        loss_fn(net(xb), yb).backward()
        opt.step()


def main(argv=None):
    parser = argparse.ArgumentParser(prog="pytorch_peer.py",
                                     description="Trains GRAPH in PyTorch eager and prints its samples/s.")
    parser.add_argument("graph", metavar="GRAPH")
    parser.add_argument("--epochs", type=int, default=None,
                        help=f"timed epochs (default: as many as take at least {MIN_SECONDS:g} s)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.graph not in SPECS:
        print(f"pytorch_peer: unknown graph '{args.graph}' (known: {', '.join(GRAPHS)})", file=sys.stderr)
        return 3
    if args.epochs is not None and args.epochs < 1:
        parser.error("--epochs needs a positive number")

    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    torch.manual_seed(args.seed)
    g = torch.Generator().manual_seed(args.seed)

    model, parameters, data, batch, loss_fn, optimizer = SPECS[args.graph]
    net = model()
    trainable = [p for p in net.parameters() if p.requires_grad]
    count = sum(p.numel() for p in trainable)
    if count != parameters:
        print(f"pytorch_peer: {args.graph} has {count} parameters, SEEDS.md says {parameters}", file=sys.stderr)
        return 1
    opt = optimizer(trainable)
    x, y = data(g)

    train_epoch(net, loss_fn, opt, x, y, batch, g)  # warm-up
    epochs, start = 0, time.perf_counter()
    while True:
        train_epoch(net, loss_fn, opt, x, y, batch, g)
        epochs += 1
        elapsed = time.perf_counter() - start
        if epochs >= args.epochs if args.epochs else elapsed >= MIN_SECONDS:
            break
    print(f"{args.graph} samples_per_second={epochs * len(x) / elapsed:.6g}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
