/*
 * layers.c - append Brevitas-export node groups (quantizers, Conv/MatMul,
 * BatchNormalization, MaxPool, Reshape, TensorNorm) to a model, with the
 * names, attributes and initializers of a qonnx-cleaned export.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define QONNX_DOMAIN "qonnx.custom_op.general"

gen_quant gen_quant_narrow(int bits)
{
    gen_quant q = {bits, 1, 1.0f};
    if (bits >= 2)
        q.scale = (float)(1.0 / (double)((1 << (bits - 1)) - 1));
    return q;
}

gen_quant gen_quant_fixed(int bits)
{
    gen_quant q = {bits, 0, (float)ldexp(1.0, -(bits - 1))};
    return q;
}

double gen_quant_ex2(gen_quant q)
{
    if (q.bits == 1)
        return 1.0;
    /* levels -L..L used about evenly: mean of k^2 is L(L+1)/3 */
    double l = q.narrow ? (double)((1 << (q.bits - 1)) - 1) : (double)(1 << (q.bits - 1));
    return l * (l + 1.0) / 3.0 * (double)q.scale * (double)q.scale;
}

finn_model *gen_model_new(int ndim, const int64_t *in_shape, finn_error *err)
{
    finn_model *m = finn_model_new("torch_jit", err);
    if (!m)
        return NULL;
    m->ir_version = 7;
    m->producer_name = strdup("pytorch");
    m->producer_version = strdup("1.13.0");
    m->inputs = calloc(1, sizeof(char *));
    if (!m->producer_name || !m->producer_version || !m->inputs) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        finn_model_free(m);
        return NULL;
    }
    if (!(m->inputs[0] = strdup("global_in"))) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        finn_model_free(m);
        return NULL;
    }
    m->n_inputs = 1;
    /* finn_model_save adds qonnx.custom_op.general, the one intended
     * difference from the reference export */
    if (finn_model_set_opset(m, "", 14, err) || finn_model_set_opset(m, "onnx.brevitas", 1, err) ||
        finn_model_set_shape(m, "global_in", FINN_ELEM_FLOAT, ndim, in_shape, err)) {
        finn_model_free(m);
        return NULL;
    }
    return m;
}

/* Per-op-type counter: the k of "<OpType>_<k>". */
static int next_index(gen_ctx *g, const char *op)
{
    for (size_t i = 0; i < g->n_ops; i++)
        if (!strcmp(g->ops[i].op, op))
            return g->ops[i].count++;
    if (g->n_ops == GEN_MAX_OPS)
        return -1;
    snprintf(g->ops[g->n_ops].op, sizeof g->ops[0].op, "%s", op);
    g->ops[g->n_ops++].count = 1;
    return 0;
}

/* Append node "<op>_<k>" reading `in` (may be NULL) and writing
 * "<node>_out0"; the model owns it. */
static finn_node *append_node(gen_ctx *g, const char *op, const char *domain, const char *in)
{
    int k = next_index(g, op);
    if (k < 0) {
        finn_error_set(g->err, FINN_ERR_INVALID, "too many op types (at most %d)",
                       GEN_MAX_OPS);
        return NULL;
    }
    char name[64], out[80];
    snprintf(name, sizeof name, "%s_%d", op, k);
    snprintf(out, sizeof out, "%s_out0", name);
    finn_node *n = finn_node_new(op, domain, name, g->err);
    if (!n)
        return NULL;
    if (finn_model_insert_node(g->m, g->m->n_nodes, n, g->err)) {
        finn_node_free(n);
        return NULL;
    }
    if ((in && finn_node_add_input(n, in, g->err)) || finn_node_add_output(n, out, g->err))
        return NULL;
    return n;
}

/* Give the node's output its shape (listed in value_info). */
static const char *set_out_shape(gen_ctx *g, finn_node *n, int ndim, const int64_t *shape)
{
    if (!n || finn_model_set_shape(g->m, n->outputs[0], FINN_ELEM_FLOAT, ndim, shape, g->err))
        return NULL;
    return n->outputs[0];
}

/* Attach t (owned) as the next initializer input "<node>_param<i>"; the
 * reference export lists every initializer in value_info too. */
static int add_param(gen_ctx *g, finn_node *n, finn_tensor *t)
{
    if (!t)
        return -1;
    size_t i = 0;
    for (size_t k = 0; k < n->n_inputs; k++)
        if (finn_model_initializer(g->m, n->inputs[k]))
            i++;
    char name[96];
    snprintf(name, sizeof name, "%s_param%zu", n->name, i);
    int ndim = t->ndim;
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, t->shape, sizeof shape);
    finn_elem_type type = t->type;
    if (finn_model_set_initializer(g->m, name, t, g->err) ||
        finn_model_set_shape(g->m, name, type, ndim, shape, g->err) ||
        finn_node_add_input(n, name, g->err))
        return -1;
    return 0;
}

/* float32 constant of shape [] (ndim 0) or [1] */
static finn_tensor *const_tensor(int ndim, float v, finn_error *err)
{
    int64_t one = 1;
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, ndim, ndim ? &one : NULL, err);
    if (t)
        ((float *)t->data)[0] = v;
    return t;
}

static finn_tensor *vector_tensor(int64_t n, finn_error *err)
{
    return finn_tensor_new(FINN_ELEM_FLOAT, 1, &n, err);
}

/* Quant's scale, zero point and bit width (0-d) plus its attributes. */
static int quant_params(gen_ctx *g, finn_node *n, gen_quant q)
{
    if (q.bits == 1)
        return add_param(g, n, const_tensor(0, q.scale, g->err));
    if (add_param(g, n, const_tensor(0, q.scale, g->err)) ||
        add_param(g, n, const_tensor(0, 0.0f, g->err)) ||
        add_param(g, n, const_tensor(0, (float)q.bits, g->err)) ||
        finn_node_set_attr_i(n, "narrow", q.narrow, g->err) ||
        finn_node_set_attr_s(n, "rounding_mode", "ROUND", g->err) ||
        finn_node_set_attr_i(n, "signed", 1, g->err))
        return -1;
    return 0;
}

static const char *quant_op(gen_quant q)
{
    return q.bits == 1 ? "BipolarQuant" : "Quant";
}

/* Integer level of one weight as Brevitas gets it from a U(-1, 1) master
 * weight: round to nearest (ties away from zero), clamped to +-max. */
static int draw_level(gen_rng *r, int bits, int max)
{
    double u = rng_range(r, -1.0, 1.0);
    if (bits == 1)
        return u < 0.0 ? -1 : 1;
    double x = u * (double)max;
    int k = (int)(x < 0.0 ? -floor(-x + 0.5) : floor(x + 0.5));
    return k > max ? max : k < -max ? -max : k;
}

/* Seeded quantized weights k * scale; each of the levels is planted once at
 * evenly spaced positions from a random start so that every level occurs. */
static finn_tensor *weight_tensor(gen_ctx *g, int ndim, const int64_t *shape, gen_quant q)
{
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, ndim, shape, g->err);
    if (!t)
        return NULL;
    size_t n = finn_tensor_numel(t);
    int max = q.bits == 1 ? 1 : (1 << (q.bits - 1)) - 1;
    size_t levels = q.bits == 1 ? 2 : (size_t)(2 * max + 1);
    if (n < levels) {
        finn_error_set(g->err, FINN_ERR_INVALID,
                       "a weight tensor of %zu values cannot hold all %zu levels of "
                       "%d-bit weights", n, levels, q.bits);
        finn_tensor_free(t);
        return NULL;
    }
    float *d = t->data;
    for (size_t i = 0; i < n; i++)
        d[i] = (float)draw_level(&g->rng, q.bits, max) * q.scale;
    size_t start = (size_t)rng_below(&g->rng, n), stride = n / levels;
    for (size_t j = 0; j < levels; j++) {
        int k = q.bits == 1 ? (j ? 1 : -1) : (int)j - max;
        d[(start + j * stride) % n] = (float)k * q.scale;
    }
    return t;
}

/* Sum of squared weights per output channel: Conv [O,...] rows, FC [in,out]
 * columns. */
static double *channel_sumsq(const finn_tensor *t, bool fc, int64_t *channels, finn_error *err)
{
    size_t n = finn_tensor_numel(t);
    int64_t c = fc ? t->shape[1] : t->shape[0];
    double *s = calloc((size_t)c, sizeof *s);
    if (!s) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    const float *d = t->data;
    size_t per = n / (size_t)c;
    for (size_t i = 0; i < n; i++) {
        size_t ch = fc ? i % (size_t)c : i / per;
        s[ch] += (double)d[i] * (double)d[i];
    }
    *channels = c;
    return s;
}

int gen_weight_quant(gen_ctx *g, int ndim, const int64_t *shape, bool fc, gen_quant q,
                     gen_weight *w)
{
    memset(w, 0, sizeof *w);
    finn_tensor *t = weight_tensor(g, ndim, shape, q);
    if (!t)
        return -1;
    if (!(w->sumsq = channel_sumsq(t, fc, &w->channels, g->err))) {
        finn_tensor_free(t);
        return -1;
    }
    finn_node *n = append_node(g, quant_op(q), QONNX_DOMAIN, NULL);
    if (!n || add_param(g, n, t)) {
        if (!n)
            finn_tensor_free(t);
        return -1;
    }
    if (quant_params(g, n, q) || !(w->out = set_out_shape(g, n, ndim, shape)))
        return -1;
    return 0;
}

const char *gen_act_quant(gen_ctx *g, const char *in, gen_quant q, int ndim,
                          const int64_t *shape)
{
    finn_node *n = append_node(g, quant_op(q), QONNX_DOMAIN, in);
    if (!n || quant_params(g, n, q))
        return NULL;
    return set_out_shape(g, n, ndim, shape);
}

const char *gen_const_op(gen_ctx *g, const char *op, const char *in, int const_ndim, float v,
                         int ndim, const int64_t *shape)
{
    finn_node *n = append_node(g, op, "", in);
    if (!n || add_param(g, n, const_tensor(const_ndim, v, g->err)))
        return NULL;
    return set_out_shape(g, n, ndim, shape);
}

const char *gen_reshape_flat(gen_ctx *g, const char *in, int64_t features)
{
    int64_t two = 2, out[2] = {1, features};
    finn_node *n = append_node(g, "Reshape", "", in);
    if (!n)
        return NULL;
    finn_tensor *t = finn_tensor_new(FINN_ELEM_INT64, 1, &two, g->err);
    if (t) {
        ((int64_t *)t->data)[0] = 1;
        ((int64_t *)t->data)[1] = -1;
    }
    if (add_param(g, n, t) || finn_node_set_attr_i(n, "allowzero", 0, g->err))
        return NULL;
    return set_out_shape(g, n, 2, out);
}

const char *gen_conv3x3(gen_ctx *g, const char *in, const char *w, int ndim,
                        const int64_t *out_shape)
{
    static const int64_t ones[2] = {1, 1}, k3[2] = {3, 3}, pads[4] = {0, 0, 0, 0};
    finn_node *n = append_node(g, "Conv", "", in);
    if (!n || finn_node_add_input(n, w, g->err) ||
        finn_node_set_attr_ints(n, "dilations", ones, 2, g->err) ||
        finn_node_set_attr_i(n, "group", 1, g->err) ||
        finn_node_set_attr_ints(n, "kernel_shape", k3, 2, g->err) ||
        finn_node_set_attr_ints(n, "pads", pads, 4, g->err) ||
        finn_node_set_attr_ints(n, "strides", ones, 2, g->err))
        return NULL;
    return set_out_shape(g, n, ndim, out_shape);
}

const char *gen_matmul(gen_ctx *g, const char *in, const char *w, int64_t out_features)
{
    int64_t out[2] = {1, out_features};
    finn_node *n = append_node(g, "MatMul", "", in);
    if (!n || finn_node_add_input(n, w, g->err))
        return NULL;
    return set_out_shape(g, n, 2, out);
}

/* Trained-looking statistics (ranges of the trained zoo TFC files): the
 * running variance is what the layer's output would have for inputs with
 * E[x^2] = in_ex2, give or take; |gamma| stays away from 0 and is negative
 * for some channels, as in trained nets. */
static void bn_stats(gen_ctx *g, const gen_weight *w, double in_ex2, float *gamma, float *beta,
                     float *mean, float *var)
{
    for (int64_t c = 0; c < w->channels; c++) {
        if (g->untrained) {
            gamma[c] = 1.0f, beta[c] = 0.0f, mean[c] = 0.0f, var[c] = 1.0f;
            continue;
        }
        double v = w->sumsq[c] * in_ex2 * rng_range(&g->rng, 0.5, 1.5);
        if (v < 1.0)
            v = 1.0;
        double mag = rng_range(&g->rng, 0.3, 2.5);
        gamma[c] = (float)(rng_uniform(&g->rng) < 0.1 ? -mag : mag);
        beta[c] = (float)rng_range(&g->rng, -1.0, 1.0);
        mean[c] = (float)(rng_range(&g->rng, -0.5, 0.5) * sqrt(v));
        var[c] = (float)v;
    }
}

const char *gen_batchnorm(gen_ctx *g, const char *in, const gen_weight *w, double in_ex2,
                          float eps, int ndim, const int64_t *shape)
{
    finn_node *n = append_node(g, "BatchNormalization", "", in);
    if (!n)
        return NULL;
    finn_tensor *t[4];
    for (int i = 0; i < 4; i++)
        t[i] = vector_tensor(w->channels, g->err);
    if (t[0] && t[1] && t[2] && t[3])
        bn_stats(g, w, in_ex2, t[0]->data, t[1]->data, t[2]->data, t[3]->data);
    /* order: scale, bias, mean, var = param0..param3 */
    for (int i = 0; i < 4; i++)
        if (add_param(g, n, t[i])) {
            for (int j = i + 1; j < 4; j++)
                finn_tensor_free(t[j]);
            return NULL;
        }
    if (finn_node_set_attr_f(n, "epsilon", eps, g->err) ||
        finn_node_set_attr_f(n, "momentum", 0.9f, g->err) ||
        finn_node_set_attr_i(n, "training_mode", 0, g->err))
        return NULL;
    return set_out_shape(g, n, ndim, shape);
}

const char *gen_maxpool2x2(gen_ctx *g, const char *in, const int64_t *out_shape)
{
    static const int64_t k2[2] = {2, 2}, pads[4] = {0, 0, 0, 0};
    finn_node *n = append_node(g, "MaxPool", "", in);
    if (!n || finn_node_set_attr_i(n, "ceil_mode", 0, g->err) ||
        finn_node_set_attr_ints(n, "kernel_shape", k2, 2, g->err) ||
        finn_node_set_attr_ints(n, "pads", pads, 4, g->err) ||
        finn_node_set_attr_ints(n, "strides", k2, 2, g->err))
        return NULL;
    return set_out_shape(g, n, 4, out_shape);
}

int gen_tensornorm(gen_ctx *g, const char *in, const gen_weight *w, double in_ex2,
                   int64_t classes)
{
    float mean = 0.0f, var = 1.0f, weight = 1.0f, bias = 0.0f;
    if (!g->untrained) {
        double s = 0.0;
        for (int64_t c = 0; c < w->channels; c++)
            s += w->sumsq[c];
        double v = s / (double)w->channels * in_ex2 * rng_range(&g->rng, 1.0, 5.0);
        mean = (float)(rng_range(&g->rng, -0.1, 0.1) * sqrt(v));
        var = (float)v;
        weight = (float)rng_range(&g->rng, 0.7, 0.85);
        bias = (float)rng_range(&g->rng, -1.2, 1.2);
    }
    /* export folds Pow(var + eps, 0.5) into Div's constant, in float32 */
    float div = sqrtf(var + 1e-4f);
    int64_t shape[2] = {1, classes};
    const char *t = gen_const_op(g, "Sub", in, 1, mean, 2, shape);
    if (t)
        t = gen_const_op(g, "Div", t, 1, div, 2, shape);
    if (t)
        t = gen_const_op(g, "Mul", t, 1, weight, 2, shape);
    finn_node *n = t ? append_node(g, "Add", "", t) : NULL;
    if (!n || add_param(g, n, const_tensor(1, bias, g->err)))
        return -1;
    /* the last node writes the graph output (not in value_info) */
    g->m->outputs = calloc(1, sizeof(char *));
    if (!g->m->outputs || !(g->m->outputs[0] = strdup("global_out")))
        return finn_error_set(g->err, FINN_ERR_NOMEM, "out of memory");
    g->m->n_outputs = 1;
    if (finn_node_set_output(n, 0, "global_out", g->err) ||
        finn_model_set_shape(g->m, "global_out", FINN_ELEM_FLOAT, 2, shape, g->err))
        return -1;
    return 0;
}
