"""mlx.nn / mlx.optimizers against the real MLX as a black box.

One driver (DRIVER below) runs every case in the real MLX ($MLX_REF_PYTHON, default
/tmp/mlxref/bin/python) and then here: each layer is built in both, MLX's parameters are
loaded into ours (load_weights, strict), the inputs are the same numpy arrays, and the
outputs, the gradients of a fixed projection of the outputs with respect to every trainable
parameter and every float input, and the module state after the call (BatchNorm's running
statistics) must agree. Losses and initializers are compared the same way (the random
generators agree bit for bit, so initializers give the same values), optimizers by three
steps of apply_gradients on the same parameters and gradients. Skipped without MLX.
"""
import os
import subprocess
import sys

import numpy as np
import pytest

import mlx.core as mx

MLX_REF = os.environ.get("MLX_REF_PYTHON", "/tmp/mlxref/bin/python")

pytestmark = pytest.mark.skipif(
    not os.path.exists(MLX_REF), reason=f"the real MLX is not installed at {MLX_REF}"
)

# (name, constructor or None, inputs, call, train mode). Inputs: ("f", shape) normal floats,
# ("p", shape) in (0.05, 0.95), ("s", shape) rows summing to 1, ("i", shape, high) int32,
# ("b", shape) 0./1. floats, ("pm", shape) -1./+1. floats. The call sees `m` and x0, x1, ...
CAUSAL5 = "nn.MultiHeadAttention.create_additive_causal_mask(5)"
F = lambda *s: ("f", s)
LAYERS = [
    ("linear", "nn.Linear(8, 5)", [F(3, 8)], "m(x0)", True),
    ("linear_nobias", "nn.Linear(8, 5, bias=False)", [F(2, 3, 8)], "m(x0)", True),
    ("bilinear", "nn.Bilinear(4, 6, 3)", [F(2, 4), F(2, 6)], "m(x0, x1)", True),
    ("identity", "nn.Identity()", [F(2, 3)], "m(x0)", True),
    ("embedding", "nn.Embedding(10, 6)", [("i", (3, 4), 10)], "m(x0)", True),
    ("embedding_as_linear", "nn.Embedding(10, 6)", [F(3, 6)], "m.as_linear(x0)", True),
    ("sequential", "nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 2))",
     [F(3, 4)], "m(x0)", True),
    ("conv1d", "nn.Conv1d(3, 4, 3, stride=2, padding=1)", [F(2, 9, 3)], "m(x0)", True),
    ("conv1d_groups", "nn.Conv1d(4, 6, 3, dilation=2, groups=2, bias=False)",
     [F(2, 11, 4)], "m(x0)", True),
    ("conv2d", "nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=1)", [F(2, 7, 6, 3)], "m(x0)",
     True),
    ("conv3d", "nn.Conv3d(2, 3, 2, padding=1)", [F(1, 4, 5, 4, 2)], "m(x0)", True),
    ("conv_transpose1d", "nn.ConvTranspose1d(3, 4, 3, stride=2, padding=1, output_padding=1)",
     [F(2, 6, 3)], "m(x0)", True),
    ("conv_transpose2d", "nn.ConvTranspose2d(3, 2, 3, stride=2)", [F(1, 4, 5, 3)], "m(x0)",
     True),
    ("conv_transpose3d", "nn.ConvTranspose3d(2, 2, 2, stride=2)", [F(1, 3, 2, 3, 2)], "m(x0)",
     True),
    ("batchnorm_train", "nn.BatchNorm(4)", [F(6, 4)], "m(x0)", True),
    ("batchnorm_eval", "nn.BatchNorm(4)", [F(6, 4)], "m(x0)", False),
    ("batchnorm_2d", "nn.BatchNorm(3, momentum=0.3)", [F(2, 5, 5, 3)], "m(x0)", True),
    ("batchnorm_plain", "nn.BatchNorm(4, affine=False, track_running_stats=False)",
     [F(2, 5, 4)], "m(x0)", True),
    ("groupnorm", "nn.GroupNorm(2, 4)", [F(2, 3, 4)], "m(x0)", True),
    ("groupnorm_pt", "nn.GroupNorm(2, 4, pytorch_compatible=True)", [F(2, 3, 3, 4)], "m(x0)",
     True),
    ("instancenorm", "nn.InstanceNorm(4, affine=True)", [F(2, 5, 4)], "m(x0)", True),
    ("layernorm", "nn.LayerNorm(6)", [F(3, 6)], "m(x0)", True),
    ("layernorm_plain", "nn.LayerNorm(6, affine=False)", [F(3, 6)], "m(x0)", True),
    ("layernorm_nobias", "nn.LayerNorm(6, bias=False, eps=1e-3)", [F(3, 6)], "m(x0)", True),
    ("rmsnorm", "nn.RMSNorm(6)", [F(3, 6)], "m(x0)", True),
    ("maxpool1d", "nn.MaxPool1d(3, stride=2, padding=1)", [F(2, 7, 3)], "m(x0)", True),
    ("maxpool2d", "nn.MaxPool2d(2)", [F(2, 6, 6, 3)], "m(x0)", True),
    ("maxpool2d_rect", "nn.MaxPool2d((3, 2), stride=(2, 1), padding=(1, 0))", [F(1, 6, 5, 2)],
     "m(x0)", True),
    ("maxpool2d_crop", "nn.MaxPool2d(2)", [F(1, 7, 5, 2)], "m(x0)", True),
    ("maxpool2d_ties", "nn.MaxPool2d(2)", [F(1, 4, 4, 2)],
     "m(x0 + mx.stop_gradient(mx.round(x0) - x0))", True),  # ties, identity gradient
    ("maxpool1d_int", "nn.MaxPool1d(2)", [("i", (2, 7, 3), 9)], "m(x0)", True),
    ("avgpool2d_crop", "nn.AvgPool2d((2, 3), stride=(2, 3))", [F(2, 7, 8, 3)], "m(x0)", True),
    ("maxpool3d", "nn.MaxPool3d(2)", [F(1, 4, 4, 4, 2)], "m(x0)", True),
    ("avgpool1d", "nn.AvgPool1d(3, stride=2, padding=1)", [F(2, 7, 3)], "m(x0)", True),
    ("avgpool2d", "nn.AvgPool2d(2)", [F(2, 6, 6, 3)], "m(x0)", True),
    ("avgpool3d", "nn.AvgPool3d(2, stride=1)", [F(1, 3, 4, 3, 2)], "m(x0)", True),
    ("upsample_nearest", "nn.Upsample(2)", [F(1, 3, 4, 2)], "m(x0)", True),
    ("upsample_nearest_frac", "nn.Upsample((1.5, 2.5))", [F(1, 3, 4, 2)], "m(x0)", True),
    ("upsample_nearest_down", "nn.Upsample((0.7, 0.45))", [F(1, 10, 9, 2)], "m(x0)", True),
    ("upsample_nearest_3d", "nn.Upsample((2.3, 1.5, 0.6))", [F(1, 3, 4, 5, 2)], "m(x0)", True),
    ("upsample_linear", "nn.Upsample(2, mode='linear')", [F(1, 3, 4, 2)], "m(x0)", True),
    ("upsample_linear_ac", "nn.Upsample((2, 3), mode='linear', align_corners=True)",
     [F(1, 3, 4, 2)], "m(x0)", True),
    ("upsample_linear_1d", "nn.Upsample(3, mode='linear')", [F(2, 5, 2)], "m(x0)", True),
    ("upsample_cubic", "nn.Upsample(2, mode='cubic')", [F(1, 3, 4, 2)], "m(x0)", True),
    ("upsample_cubic_ac", "nn.Upsample(2, mode='cubic', align_corners=True)", [F(1, 3, 4, 2)],
     "m(x0)", True),
    ("rnn", "nn.RNN(4, 6)", [F(2, 5, 4)], "m(x0)", True),
    ("rnn_relu_h0", "nn.RNN(4, 6, bias=False, nonlinearity=nn.relu)", [F(2, 5, 4), F(2, 6)],
     "m(x0, x1)", True),
    ("rnn_unbatched", "nn.RNN(4, 6)", [F(5, 4)], "m(x0)", True),
    ("gru", "nn.GRU(4, 6)", [F(2, 5, 4)], "m(x0)", True),
    ("gru_h0", "nn.GRU(4, 6, bias=False)", [F(2, 5, 4), F(2, 6)], "m(x0, x1)", True),
    ("lstm", "nn.LSTM(4, 6)", [F(2, 5, 4)], "m(x0)", True),
    ("lstm_state", "nn.LSTM(4, 6)", [F(2, 5, 4), F(2, 6), F(2, 6)], "m(x0, x1, x2)", True),
    ("mha", "nn.MultiHeadAttention(16, 4)", [F(2, 5, 16), F(2, 7, 16), F(2, 7, 16)],
     "m(x0, x1, x2)", True),
    ("mha_causal", "nn.MultiHeadAttention(16, 4)", [F(2, 5, 16)],
     f"m(x0, x0, x0, mask={CAUSAL5})", True),
    ("mha_dims", "nn.MultiHeadAttention(16, 4, query_input_dims=8, key_input_dims=10, "
     "value_input_dims=12, value_dims=20, value_output_dims=6, bias=True)",
     [F(2, 5, 8), F(2, 3, 10), F(2, 3, 12)], "m(x0, x1, x2)", True),
    ("encoder_layer", "nn.TransformerEncoderLayer(16, 4, mlp_dims=32)", [F(2, 5, 16)],
     f"m(x0, {CAUSAL5})", True),
    ("encoder_layer_post", "nn.TransformerEncoderLayer(16, 4, norm_first=False, "
     "activation=nn.gelu)", [F(2, 5, 16)], "m(x0, None)", True),
    ("encoder", "nn.TransformerEncoder(2, 16, 4)", [F(2, 5, 16)], f"m(x0, {CAUSAL5})", True),
    ("encoder_post_ckpt", "nn.TransformerEncoder(2, 16, 4, norm_first=False, checkpoint=True)",
     [F(2, 5, 16)], f"m(x0, {CAUSAL5})", True),
    ("decoder_layer", "nn.TransformerDecoderLayer(16, 4)", [F(2, 5, 16), F(2, 3, 16)],
     f"m(x0, x1, {CAUSAL5}, None)", True),
    ("decoder", "nn.TransformerDecoder(2, 16, 4, norm_first=False)", [F(2, 5, 16), F(2, 3, 16)],
     f"m(x0, x1, {CAUSAL5}, None)", True),
    ("transformer", "nn.Transformer(16, 4, 1, 2, mlp_dims=24)", [F(2, 3, 16), F(2, 5, 16)],
     f"m(x0, x1, None, {CAUSAL5}, None)", True),
    ("alibi", "nn.ALiBi()", [F(2, 4, 5, 5)], "m(x0)", True),
    ("alibi_offset_mask", "nn.ALiBi()", [F(2, 4, 3, 5), F(3, 5)], "m(x0, offset=2, mask=x1)",
     True),
    ("alibi_slope", None, [], "nn.ALiBi.create_alibi_slope(6)", True),
    ("alibi_matrix", None, [], "nn.ALiBi.create_alibi_matrix(7, 6, 4, offset=3)", True),
    ("rope", "nn.RoPE(8)", [F(2, 5, 8)], "m(x0)", True),
    ("rope_trad", "nn.RoPE(8, traditional=True, base=100, scale=0.5)", [F(2, 5, 8)],
     "m(x0, offset=3)", True),
    ("rope_partial", "nn.RoPE(4)", [F(2, 3, 5, 8)], "m(x0)", True),
    ("sinusoidal", "nn.SinusoidalPositionalEncoding(8)", [F(5)], "m(x0)", True),
    ("sinusoidal_opts", "nn.SinusoidalPositionalEncoding(8, min_freq=0.01, max_freq=2, "
     "scale=0.5, cos_first=True, full_turns=True)", [F(2, 5)], "m(x0)", True),
    ("dropout", "nn.Dropout(0.3)", [F(4, 6)], "m(x0)", True),
    ("dropout_eval", "nn.Dropout(0.3)", [F(4, 6)], "m(x0)", False),
    ("dropout2d", "nn.Dropout2d(0.5)", [F(2, 4, 4, 3)], "m(x0)", True),
    ("dropout3d", "nn.Dropout3d(0.5)", [F(2, 3, 3, 3, 4)], "m(x0)", True),
    ("quantized_linear", "nn.QuantizedLinear(64, 16)", [F(3, 64)], "m(x0)", True),
    ("quantized_linear_8bit", "nn.QuantizedLinear(128, 8, bias=False, group_size=32, bits=8)",
     [F(2, 128)], "m(x0)", True),
    ("quantized_from_linear", "nn.QuantizedLinear.from_linear(nn.Linear(64, 8), 32, 4)",
     [F(3, 64)], "m(x0)", True),
    ("quantized_linear_mxfp4", "nn.QuantizedLinear(64, 16, mode='mxfp4')", [F(3, 64)], "m(x0)",
     True),
    ("quantized_linear_mxfp8", "nn.QuantizedLinear(64, 16, mode='mxfp8')", [F(3, 64)], "m(x0)",
     True),
    ("quantized_linear_nvfp4", "nn.QuantizedLinear(64, 16, mode='nvfp4')", [F(3, 64)], "m(x0)",
     True),
    ("quantized_embedding", "nn.QuantizedEmbedding(10, 64)", [("i", (3, 4), 10)], "m(x0)", True),
    ("quantized_embedding_linear", "nn.QuantizedEmbedding(10, 64, bits=8)", [F(3, 64)],
     "m.as_linear(x0)", True),
    ("quantize_model", "nn.Sequential(nn.Embedding(12, 64), nn.Linear(64, 32), nn.ReLU(), "
     "nn.Linear(32, 5))", [("i", (2, 3), 12)], "(nn.quantize(m, 32, 4), m(x0))[1]", True),
    ("quantize_predicate", "nn.Sequential(nn.Linear(64, 64), nn.Linear(64, 3))", [F(2, 64)],
     "(nn.quantize(m, class_predicate=lambda p, l: p == 'layers.0'), m(x0))[1]", True),
    ("prelu", "nn.PReLU()", [F(3, 4)], "m(x0)", True),
    ("prelu_channels", "nn.PReLU(4, init=0.1)", [F(3, 4)], "m(x0)", True),
    ("glu", "nn.GLU()", [F(3, 6)], "m(x0)", True),
    ("glu_axis", "nn.GLU(axis=0)", [F(4, 3)], "m(x0)", True),
]
ACTIVATIONS = [
    "CELU(0.7)", "ELU(0.5)", "GELU()", "GELU('precise')", "GELU('tanh')", "GELU('fast')",
    "HardShrink(0.3)", "HardTanh()", "Hardswish()", "LeakyReLU(0.2)", "LogSigmoid()",
    "LogSoftmax()", "Mish()", "ReLU()", "ReLU2()", "ReLU6()", "SELU()", "Sigmoid()", "SiLU()",
    "Softmax()", "Softmin()", "Softplus()", "Softshrink(0.3)", "Softsign()", "Step(0.1)",
    "Tanh()",
]
LAYERS += [(f"act_{a}", f"nn.{a}", [("f3", (3, 7))], "m(x0)", True) for a in ACTIVATIONS]
FUNCTIONS = [
    "celu", "elu", "gelu", "gelu_approx", "gelu_fast_approx", "glu", "hard_shrink", "hard_tanh",
    "hardswish", "leaky_relu", "log_sigmoid", "log_softmax", "mish", "relu", "relu2", "relu6",
    "selu", "sigmoid", "silu", "softmax", "softmin", "softplus", "softshrink", "softsign",
    "step", "tanh",
]
LAYERS += [(f"fn_{f}", None, [("f3", (3, 8))], f"nn.{f}(x0)", True) for f in FUNCTIONS]
LAYERS += [("fn_prelu", None, [F(3, 4), F(4)], "nn.prelu(x0, x1)", True)]

L = "nn.losses."
I45 = ("i", (4,), 5)
LOSSES = [
    ("ce", [F(4, 5), I45], "cross_entropy(x0, x1)"),
    ("ce_mean_smooth", [F(4, 5), I45], "cross_entropy(x0, x1, label_smoothing=0.1, "
     "reduction='mean')"),
    ("ce_weights", [F(4, 5), I45, ("p", (4,))], "cross_entropy(x0, x1, weights=x2, "
     "reduction='sum')"),
    ("ce_probs", [F(4, 5), ("s", (4, 5))], "cross_entropy(x0, x1)"),
    ("ce_probs_unnormalized", [F(4, 5), ("p", (4, 5))], "cross_entropy(x0, x1)"),
    ("ce_probs_smooth", [F(4, 5), ("s", (4, 5))], "cross_entropy(x0, x1, label_smoothing=0.2)"),
    ("ce_axis0", [F(5, 4), I45], "cross_entropy(x0, x1, axis=0)"),
    ("bce_logits", [F(6), ("b", (6,))], "binary_cross_entropy(x0, x1)"),
    ("bce_probs", [("p", (6,)), ("b", (6,))], "binary_cross_entropy(x0, x1, with_logits=False, "
     "reduction='sum')"),
    ("bce_weights", [F(2, 3), ("p", (2, 3)), ("p", (2, 3))], "binary_cross_entropy(x0, x1, "
     "weights=x2, reduction='none')"),
    ("l1", [F(3, 4), F(3, 4)], "l1_loss(x0, x1)"),
    ("l1_sum", [F(3, 4), F(3, 4)], "l1_loss(x0, x1, reduction='sum')"),
    ("mse", [F(3, 4), F(3, 4)], "mse_loss(x0, x1)"),
    ("mse_none", [F(3, 4), F(3, 4)], "mse_loss(x0, x1, reduction='none')"),
    ("nll", [F(4, 5), I45], "nll_loss(nn.log_softmax(x0), x1, reduction='mean')"),
    ("gaussian_nll", [F(3, 4), F(3, 4), ("p", (3, 4))], "gaussian_nll_loss(x0, x1, x2)"),
    ("gaussian_nll_full", [F(3, 4), F(3, 4), ("p", (3, 4))], "gaussian_nll_loss(x0, x1, x2, "
     "full=True, eps=0.1, reduction='sum')"),
    ("kl_div", [F(3, 5), F(3, 5)], "kl_div_loss(nn.log_softmax(x0), nn.log_softmax(x1))"),
    ("smooth_l1", [F(3, 4), F(3, 4)], "smooth_l1_loss(x0, x1, beta=0.5)"),
    ("triplet", [F(3, 4), F(3, 4), F(3, 4)], "triplet_loss(x0, x1, x2)"),
    ("triplet_opts", [F(3, 4), F(3, 4), F(3, 4)], "triplet_loss(x0, x1, x2, p=1, margin=0.3, "
     "reduction='mean')"),
    ("hinge", [F(6), ("pm", (6,))], "hinge_loss(x0, x1)"),
    ("huber", [F(3, 4), F(3, 4)], "huber_loss(x0, x1, delta=0.7)"),
    ("log_cosh", [F(3, 4), F(3, 4)], "log_cosh_loss(x0, x1, reduction='sum')"),
    ("cosine_similarity", [F(3, 4), F(3, 4)], "cosine_similarity_loss(x0, x1)"),
    ("cosine_similarity_ax", [F(3, 4), F(3, 4)], "cosine_similarity_loss(x0, x1, axis=0, "
     "reduction='mean')"),
    ("margin_ranking", [F(6), F(6), ("pm", (6,))], "margin_ranking_loss(x0, x1, x2, margin=0.2)"),
]
LAYERS += [(f"loss_{n}", None, inputs, L + call, True) for n, inputs, call in LOSSES]

INITS = [
    "constant(0.5)(mx.zeros((3, 4)))", "normal(mean=0.5, std=2.0)(mx.zeros((30, 4)))",
    "uniform(low=-1, high=2)(mx.zeros((30, 4)))", "identity()(mx.zeros((4, 4)))",
    "glorot_normal()(mx.zeros((20, 8)))", "glorot_uniform(gain=2.0)(mx.zeros((20, 8)))",
    "he_normal()(mx.zeros((20, 8)))", "he_uniform(gain=0.5)(mx.zeros((20, 8)))",
    "he_normal()(mx.zeros((20, 8)), mode='fan_out')", "he_uniform()(mx.zeros((8, 3, 3, 4)))",
    "sparse(0.5, std=0.1)(mx.zeros((10, 6)))", "orthogonal()(mx.zeros((6, 6)))",
    "orthogonal(gain=2.0)(mx.zeros((4, 7)))", "orthogonal()(mx.zeros((7, 4)))",
]
LAYERS += [(f"init_{i}", None, [], "nn.init." + e, True) for i, e in enumerate(INITS)]

SCHEDULES = [
    "exponential_decay(0.1, 0.9)", "step_decay(0.1, 0.5, 4)", "cosine_decay(0.1, 10)",
    "cosine_decay(0.1, 10, end=0.01)", "linear_schedule(0.0, 0.1, 5)",
    "linear_schedule(0.1, 0.01, 7)",
    "join_schedules([optim.linear_schedule(0.0, 0.1, 3), optim.cosine_decay(0.1, 8)], [3])",
    "join_schedules([optim.step_decay(1.0, 0.5, 2), "
    "optim.exponential_decay(0.3, 0.8), optim.linear_schedule(0.2, 0.0, 4)], [4, 9])",
]
LAYERS += [(f"schedule_{i}", None, [],
            f"[optim.{e}(mx.array(i)) for i in range(0, 26, 3)]", True)
           for i, e in enumerate(SCHEDULES)]
LAYERS += [
    ("clip_grad_norm", None, [F(3, 4), F(5)],
     "(lambda r: [r[0]['a'], r[0]['b'][0], r[1]])(optim.clip_grad_norm({'a': x0, 'b': [x1]}, 1.0))",
     True),
    ("clip_grad_norm_small", None, [F(3, 4)],
     "(lambda r: [r[0]['a'], r[1]])(optim.clip_grad_norm({'a': 0.01 * x0}, 5.0))", True),
]

SCHEDULE = "optim.join_schedules([optim.linear_schedule(0.0, 0.1, 2), " \
    "optim.cosine_decay(0.1, 10, 0.01)], [2])"
OPTIMIZERS = [
    "SGD(learning_rate=0.1)", "SGD(0.1, momentum=0.9, weight_decay=0.01, dampening=0.1)",
    "SGD(0.1, momentum=0.9, nesterov=True)", "RMSprop(0.01)", "RMSprop(0.01, alpha=0.9)",
    "Adagrad(0.1)", "AdaDelta(1.0, rho=0.8)", "Adam(0.01)", "Adam(0.01, bias_correction=True)",
    "AdamW(0.01)", "AdamW(0.01, betas=[0.8, 0.9], weight_decay=0.1, bias_correction=True)",
    "Adamax(0.01)", "Lion(0.01, weight_decay=0.1)", "Adafactor()",
    "Adafactor(learning_rate=0.01, relative_step=False, beta_1=0.9, weight_decay=0.01)",
    "Adafactor(scale_parameter=False, warmup_init=True)", "Muon(0.02)",
    "Muon(0.02, nesterov=False, weight_decay=0.0, ns_steps=3)",
    f"Adam(learning_rate={SCHEDULE})", f"SGD(learning_rate={SCHEDULE}, momentum=0.5)",
    "MultiOptimizer([optim.Adam(0.01), optim.SGD(0.1)], [lambda path, p: p.ndim == 2])",
]

DRIVER = r'''
import numpy as np
import mlx.core as mx
import mlx.nn as nn
import mlx.optimizers as optim
from mlx.utils import tree_flatten, tree_unflatten


def make_inputs(specs, seed):
    rng = np.random.default_rng(seed)
    out = []
    for spec in specs:
        kind, shape = spec[0], spec[1]
        if kind == "f":
            out.append(rng.standard_normal(shape).astype(np.float32))
        elif kind == "f3":
            out.append((3 * rng.standard_normal(shape)).astype(np.float32))
        elif kind == "p":
            out.append(rng.uniform(0.05, 0.95, shape).astype(np.float32))
        elif kind == "s":
            a = rng.uniform(0.05, 1.0, shape)
            out.append((a / a.sum(-1, keepdims=True)).astype(np.float32))
        elif kind == "i":
            out.append(rng.integers(0, spec[2], shape).astype(np.int32))
        elif kind == "b":
            out.append(rng.integers(0, 2, shape).astype(np.float32))
        elif kind == "pm":
            out.append((2 * rng.integers(0, 2, shape) - 1).astype(np.float32))
    return out


def as_list(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def projection(outs):
    return sum(mx.sum(o * mx.cos(0.37 * mx.arange(o.size, dtype=mx.float32).reshape(o.shape)))
               for o in outs if mx.issubdtype(o.dtype, mx.floating))


def run_layer(case, index, weights):
    name, ctor, specs, call, train = case
    res = {}
    env = {"nn": nn, "mx": mx, "optim": optim}
    mx.random.seed(index)
    m = eval(ctor, env) if ctor else None
    if m is not None:
        if weights is not None:
            m.load_weights([(k[len(name) + 3:], mx.array(v)) for k, v in weights.items()
                            if k.startswith(name + "/w/")])
        for k, v in tree_flatten(m.parameters()):
            res["w/" + k] = np.array(v)
        m.train(train)
    xs = [mx.array(x) for x in make_inputs(specs, index)]
    env["m"] = m
    fn = eval("lambda " + ", ".join(["m"] + [f"x{i}" for i in range(len(xs))]) + ": " + call,
              env)
    mx.random.seed(1000 + index)
    outs = as_list(fn(m, *xs))
    for i, o in enumerate(outs):
        res[f"out/{i}"] = np.array(o)
    if m is not None:
        for k, v in tree_flatten(m.parameters()):
            res["state/" + k] = np.array(v)
    floats = [i for i, x in enumerate(xs) if mx.issubdtype(x.dtype, mx.floating)]
    params = m.trainable_parameters() if m is not None else {}
    if not floats and not tree_flatten(params):
        return res

    def f(params, fx):
        if m is not None:
            m.update(params)
        args = list(xs)
        for i, x in zip(floats, fx):
            args[i] = x
        mx.random.seed(1000 + index)
        return projection(as_list(fn(m, *args)))

    gp, gx = mx.grad(f, argnums=(0, 1))(params, [xs[i] for i in floats])
    for k, v in tree_flatten(gp):
        res["gw/" + k] = np.array(v)
    for i, g in zip(floats, gx):
        res[f"gx/{i}"] = np.array(g)
    return res


def run_optimizer(expr, index):
    rng = np.random.default_rng(index)
    shapes = {"w": (6, 4), "b": (4,), "layers": [{"w": (3, 5)}, {"b": (5,)}]}

    def draw(scale):
        def walk(s):
            if isinstance(s, dict):
                return {k: walk(v) for k, v in s.items()}
            if isinstance(s, list):
                return [walk(v) for v in s]
            return mx.array((scale * rng.standard_normal(s)).astype(np.float32))
        return walk(shapes)

    params = draw(1.0)
    opt = eval("optim." + expr, {"optim": optim, "mx": mx})
    for _ in range(3):
        params = opt.apply_gradients(draw(0.5), params)
    mx.eval(params)
    res = {"p/" + k: np.array(v) for k, v in tree_flatten(params)}
    res["lr"] = np.array(opt.learning_rate)
    if "step" in opt.state:  # (MLX's MultiOptimizer has none: its .step raises KeyError)
        res["step"] = np.array(opt.step)
    # The state's layout (keys, shapes, dtypes) and values, so saved states interchange.
    res.update({"state/" + k: np.array(v) for k, v in tree_flatten(opt.state)})
    return res


def run_all(layers, optimizers, weights=None):
    results = {}
    for index, case in enumerate(layers):
        try:
            res = run_layer(case, index, weights)
        except Exception as e:
            res = {"error": np.array(type(e).__name__ + ": " + str(e))}
        results.update({case[0] + "/" + k: v for k, v in res.items()})
    for index, expr in enumerate(optimizers):
        try:
            res = run_optimizer(expr, index)
        except Exception as e:
            res = {"error": np.array(type(e).__name__ + ": " + str(e))}
        results.update({"optim" + str(index) + "/" + k: v for k, v in res.items()})
    return results
'''


@pytest.fixture(scope="module")
def reference(tmp_path_factory):
    path = tmp_path_factory.mktemp("parity") / "ref.npz"
    script = DRIVER + (
        "\nimport json, sys\n"
        "cases = json.loads(sys.stdin.read())\n"
        "np.savez(sys.argv[1], **run_all([tuple(c) for c in cases['layers']], cases['optim']))\n"
    )
    import json

    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    proc = subprocess.run(
        [MLX_REF, "-c", script, str(path)],
        input=json.dumps({"layers": LAYERS, "optim": OPTIMIZERS}),
        capture_output=True, text=True, env=env, timeout=600,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    with np.load(path) as f:
        return {k: f[k] for k in f.files}


@pytest.fixture(scope="module")
def ours(reference):
    ns = {}
    exec(DRIVER, ns)
    return ns


def _compare(prefix, ref, got, rtol=2e-4, atol=2e-5):
    want = {k[len(prefix):]: v for k, v in ref.items() if k.startswith(prefix)}
    assert want, f"no reference results for {prefix}"
    if "error" in want:
        assert "error" in got, f"MLX raised {want['error']} but ours did not"
        assert str(got["error"]).split(":")[0] == str(want["error"]).split(":")[0]
        return
    assert "error" not in got, str(got["error"])
    assert sorted(got) == sorted(want)
    for k in want:
        assert got[k].shape == want[k].shape, k
        assert got[k].dtype == want[k].dtype, k
        np.testing.assert_allclose(got[k], want[k], rtol=rtol, atol=atol, err_msg=k)


@pytest.mark.parametrize("index", range(len(LAYERS)), ids=[c[0] for c in LAYERS])
def test_layer_matches_mlx(index, reference, ours):
    case = LAYERS[index]
    name = case[0]
    weights = {k: v for k, v in reference.items() if k.startswith(name + "/w/")}
    try:
        got = ours["run_layer"](case, index, weights)
    except Exception as e:
        got = {"error": np.array(type(e).__name__ + ": " + str(e))}
    _compare(name + "/", reference, got)


@pytest.mark.parametrize("index", range(len(OPTIMIZERS)), ids=OPTIMIZERS)
def test_optimizer_matches_mlx(index, reference, ours):
    try:
        got = ours["run_optimizer"](OPTIMIZERS[index], index)
    except Exception as e:
        got = {"error": np.array(type(e).__name__ + ": " + str(e))}
    _compare(f"optim{index}/", reference, got)


# ---------------------------------------------------------------------- Module behaviour
BEHAVIOUR = r'''
import mlx.core as mx, mlx.nn as nn
from mlx.utils import tree_flatten, tree_map


def show(label, f):
    try:
        r = f()
    except Exception as e:
        r = f"{type(e).__name__}: {e}"
    print(label, "=>", r)


def shapes(t):
    return [(k, tuple(v.shape)) for k, v in tree_flatten(t)]


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 8))
        self.blocks = [nn.LayerNorm(8), {"a": nn.Linear(8, 2), "b": nn.Dropout(0.1)}]
        self.head = nn.Linear(8, 3)
        self.scale = mx.ones((3,))
        self._private = mx.zeros((2,))
        self.cfg = 5

    def __call__(self, x):
        return self.head(self.blocks[0](self.enc(x))) * self.scale


mx.random.seed(0)
m = Net()
show("keys", lambda: sorted(m.keys()))
show("params", lambda: shapes(m.parameters()))
show("children", lambda: tree_map(lambda v: type(v).__name__, m.children(),
                                  is_leaf=nn.Module.is_module))
show("leaf_modules", lambda: [(k, type(v).__name__) for k, v in
                              tree_flatten(m.leaf_modules(), is_leaf=nn.Module.is_module)])
show("named_modules", lambda: [(k, type(v).__name__) for k, v in m.named_modules()])
show("modules", lambda: [type(v).__name__ for v in m.modules()])
order = []
m.apply_to_modules(lambda k, v: order.append(k))
show("apply_to_modules", lambda: order)
show("freeze all", lambda: shapes(m.freeze().trainable_parameters()))
show("unfreeze enc", lambda: (m.enc.unfreeze(), shapes(m.trainable_parameters()))[1])
show("freeze bias", lambda: shapes(m.unfreeze().freeze(keys="bias").trainable_parameters()))
show("freeze nonrec", lambda: shapes(m.unfreeze().freeze(recurse=False).trainable_parameters()))
show("freeze nonrec keys", lambda: shapes(
    m.unfreeze().freeze(recurse=False, keys=["scale"]).trainable_parameters()))
show("freeze strict", lambda: m.unfreeze().freeze(keys=["nope"], strict=True))
show("freeze keys", lambda: shapes(m.unfreeze().freeze(keys=["weight"]).trainable_parameters()))
show("unfreeze strict", lambda: m.unfreeze(keys="nope", strict=True))
m.unfreeze()
show("update unknown", lambda: m.update({"nope": mx.zeros(1)}))
show("update unknown nonstrict", lambda: shapes(
    m.update({"nope": mx.zeros(1)}, strict=False).parameters())[:1])
show("update bad type", lambda: m.update({"head": 3}))
show("update list", lambda: m.update({"blocks": [{"weight": mx.zeros(8)}]}) is m)
show("update_modules", lambda: type(
    m.update_modules({"head": nn.Linear(8, 3, bias=False)}).head).__name__)
show("update_modules bad", lambda: m.update_modules({"scale": nn.Linear(1, 1)}))
show("update_modules unknown", lambda: m.update_modules({"zzz": nn.Linear(1, 1)}))
w = tree_flatten(m.parameters())
show("load ok", lambda: m.load_weights(w) is m)
show("load missing", lambda: m.load_weights(w[1:]))
show("load extra", lambda: m.load_weights(w + [("extra.w", mx.zeros(1))]))
show("load shape", lambda: m.load_weights(
    [(k, mx.zeros((1,)) if k == "scale" else v) for k, v in w]))
show("load nonstrict", lambda: m.load_weights(
    [("scale", mx.full((3,), 2.0)), ("bogus", mx.zeros(1))], strict=False).scale.tolist())
show("load type", lambda: m.load_weights([(k, 1.0 if k == "scale" else v) for k, v in w]))
show("repr", lambda: repr(m))
show("training", lambda: (m.training, m.eval().training, m.enc.layers[0].training,
                          m.train().blocks[1]["b"].training))
show("set_dtype", lambda: (m.set_dtype(mx.float16), m.head.weight.dtype, m.scale.dtype)[1:])
show("set_dtype pred", lambda: (m.set_dtype(mx.bfloat16, lambda d: False),
                                m.head.weight.dtype)[1])
show("state", lambda: m.state is m)
show("attr error", lambda: m.nothing)
show("setattr arr", lambda: (setattr(m, "extra", mx.zeros(2)), "extra" in m)[1])
show("setattr int", lambda: (setattr(m, "n", 3), "n" in m)[1])
show("filter_and_map", lambda: shapes(m.filter_and_map(
    lambda mod, k, v: k != "enc" and isinstance(v, (mx.array, dict, list))
    and not k.startswith("_"))))
show("is_module", lambda: (nn.Module.is_module(m), nn.Module.is_module({})))
show("reprs", lambda: [repr(x) for x in [
    nn.Sequential(nn.Linear(2, 3), nn.GELU()), nn.Conv2d(2, 4, 3, stride=2), nn.LayerNorm(4),
    nn.BatchNorm(3), nn.Embedding(4, 2), nn.Dropout(0.2), nn.MultiHeadAttention(8, 2),
    nn.RoPE(4), nn.GroupNorm(2, 4), nn.RMSNorm(3), nn.MaxPool2d(2), nn.Upsample(2.0),
    nn.LSTM(2, 3), nn.GRU(2, 3), nn.RNN(2, 3), nn.Bilinear(2, 3, 4), nn.PReLU(),
    nn.ConvTranspose1d(2, 3, 4), nn.InstanceNorm(3), nn.AvgPool1d(2), nn.ALiBi(),
    nn.SinusoidalPositionalEncoding(4), nn.Conv1d(2, 3, 3), nn.Conv3d(2, 3, 3)]])
'''


UTILS = r'''
from mlx.utils import (tree_flatten, tree_map, tree_map_with_path, tree_merge, tree_reduce,
                       tree_unflatten)


def show(label, f):
    try:
        r = f()
    except Exception as e:
        r = f"{type(e).__name__}: {e}"
    print(label, "=>", r)


t = {"a": [1, 2, {"b": 3}], "c": (4, 5), "d": {"e": {}, "f": []}, "g": None}
show("flatten", lambda: tree_flatten(t))
show("flatten prefix", lambda: tree_flatten(t, prefix="p"))
show("flatten leaf", lambda: tree_flatten(t, is_leaf=lambda x: isinstance(x, tuple)))
show("flatten dest", lambda: tree_flatten(t, destination={}))
show("flatten list", lambda: tree_flatten([1, [2, 3]]))
show("flatten scalar", lambda: tree_flatten(5))
show("unflatten", lambda: tree_unflatten([("a.0", 1), ("a.1.b", 2), ("c", 3)]))
show("unflatten dict", lambda: tree_unflatten({"x.1": 1, "x.0": 2}))
show("unflatten top list", lambda: tree_unflatten([("0", 1), ("1", 2)]))
show("unflatten gap", lambda: tree_unflatten([("a.0", 1), ("a.2", 2)]))
show("map", lambda: tree_map(lambda x: x * 2, t))
show("map multi", lambda: tree_map(lambda x, y: x + y, {"a": 1, "b": [2]}, {"a": 10, "b": [20]}))
show("map leaf", lambda: tree_map(len, t, is_leaf=lambda x: isinstance(x, tuple)))
show("map path", lambda: tree_map_with_path(lambda p, x: p, t))
show("map path prefix", lambda: tree_map_with_path(lambda p, x: p, t, path="root"))
show("reduce", lambda: tree_reduce(lambda acc, x: acc + x, {"a": [1, 2], "b": 3}, 0))
show("reduce noinit", lambda: tree_reduce(lambda acc, x: acc + x, {"a": [1, 2], "b": 3}))
show("merge fn", lambda: tree_merge({"a": 1}, {"a": 2}, merge_fn=lambda a, b: a + b))
for a, b in [({"a": 1}, {"a": {}}), ({"a": {}}, {"a": 1}), ([1, {}], [{}, 2]),
             ([1, None], [None, 2]), ({"a": {}}, {"b": 1}), ([1], [None, 2]), ([1, 2], [3]),
             ({"a": [1]}, {"a": {"x": 2}}), (None, 1), (1, None), ({}, {"x": 1}), ([], [1]),
             ({"a": (1, None)}, {"a": (None, 2)}), ({"a": None}, {"a": None}),
             ({"a": [1, {}], "b": {}}, {"a": [{}, 2], "c": 3})]:
    show(f"merge {a!r} {b!r}", lambda: tree_merge(a, b))
'''


def _run_source(python, source, cwd, env_ours):
    env = dict(os.environ)
    if env_ours:
        import mlx

        root = os.path.dirname(os.path.abspath(list(mlx.__path__)[0]))
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [root, env.get("PYTHONPATH")]))
    else:
        env.pop("PYTHONPATH", None)
    proc = subprocess.run([python, "-c", source], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=300)
    # the real MLX 0.32.4 (CPU) now and then aborts while its threads shut down, after the
    # script has finished: its output is complete then
    mlx_exit_abort = (not env_ours and proc.returncode == -6 and
                      proc.stderr.strip() == "terminate called without an active exception")
    assert proc.returncode == 0 or mlx_exit_abort, proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.parametrize("source", [BEHAVIOUR, UTILS], ids=["nn.Module", "mlx.utils"])
def test_behaviour_matches_mlx(source, tmp_path):
    import re

    mask = lambda text: re.sub(r"0x[0-9a-f]+", "0x?", text).splitlines()
    ref = mask(_run_source(MLX_REF, source, tmp_path, False))
    ours = mask(_run_source(sys.executable, source, tmp_path, True))
    assert len(ours) == len(ref)
    for a, b in zip(ours, ref):
        assert a == b


# ---------------------------------------------------------------------- weight files
SAVE = r'''
import sys
import mlx.core as mx, mlx.nn as nn
mx.random.seed(3)
m = nn.Sequential(nn.Linear(5, 7), nn.LayerNorm(7), nn.Embedding(4, 3))
m.layers[1].set_dtype(mx.float16)
m.layers[2].set_dtype(mx.bfloat16)
m.save_weights(sys.argv[1])
'''
LOAD = r'''
import sys
import numpy as np
import mlx.core as mx, mlx.nn as nn
from mlx.utils import tree_flatten
mx.random.seed(99)
m = nn.Sequential(nn.Linear(5, 7), nn.LayerNorm(7), nn.Embedding(4, 3))
m.load_weights(sys.argv[1])
for k, v in tree_flatten(m.parameters()):
    bits = np.array(v.view(mx.uint16) if v.dtype == mx.bfloat16 else v).tobytes().hex()
    print(k, v.dtype, v.shape, bits)
'''


@pytest.mark.parametrize("ext", ["npz", "safetensors"])
@pytest.mark.parametrize("writer", ["mlx", "ours"])
def test_weight_files_cross_load(ext, writer, tmp_path):
    """Weights saved by one implementation load bit for bit in the other (and in itself)."""
    path = str(tmp_path / f"w.{ext}")
    wpy, wours = (MLX_REF, False) if writer == "mlx" else (sys.executable, True)
    _run_source(wpy, SAVE.replace("sys.argv[1]", repr(path)), tmp_path, wours)
    load = LOAD.replace("sys.argv[1]", repr(path))
    ref = _run_source(MLX_REF, load, tmp_path, False)
    ours = _run_source(sys.executable, load, tmp_path, True)  # MLX writes "__metadata__": null
    assert ours == ref and "bfloat16" in ref and "float16" in ref
