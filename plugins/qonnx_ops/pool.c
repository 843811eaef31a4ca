/*
 * pool.c - MaxPoolNHWC and QuantAvgPool2d (finn-frontend.md 3.7, 3.8).
 *
 * MaxPoolNHWC: ONNX MaxPool (as onnxruntime computes it) on NHWC data,
 * attributes kernel_shape, pads [top,left,bottom,right], strides, ceil_mode
 * (and dilations, which a node may carry for MaxPool).  Padding never wins
 * and a window lying fully in the padding gives the lowest float, as
 * onnxruntime's kernel starts from numeric_limits::lowest().
 *
 * QuantAvgPool2d: square kernel k, stride s, no padding;
 * out = floor_shift(rint(avg * k*k), shift), shift = max(0, acc_bits - obits),
 * acc_bits = bit length of (2^ibits - 1) * k*k.
 */
#include "qonnx_common.h"

#include <float.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

/* QONNX compute_pool_output_dim (float quotient, floor or ceil). */
static int64_t pool_out_dim(int64_t in, int64_t k, int64_t s, int64_t pad_total, int64_t dil,
                            int ceil_mode)
{
    double q = (double)(in + pad_total - dil * (k - 1) - 1) / (double)s + 1.0;
    return (int64_t)(ceil_mode ? ceil(q) : floor(q));
}

typedef struct maxpool_params {
    int64_t k[2], s[2], d[2], pads[4];
    int ceil_mode;
} maxpool_params;

static int ints_attr(const finn_node *n, const char *name, size_t want, int64_t *out,
                     const int64_t *dflt, finn_error *err)
{
    const int64_t *v;
    size_t cnt = finn_node_attr_ints(n, name, &v);
    if (!v && !dflt)
        return qo_fail(err, n, FINN_ERR_INVALID, "attribute '%s' is required", name);
    if (v && cnt != want)
        return qo_fail(err, n, FINN_ERR_INVALID, "attribute '%s' needs %zu values, has %zu",
                       name, want, cnt);
    memcpy(out, v ? v : dflt, want * sizeof *out);
    return 0;
}

static int maxpool_params_get(const finn_node *n, maxpool_params *p, finn_error *err)
{
    static const int64_t ones[2] = {1, 1};
    if (ints_attr(n, "kernel_shape", 2, p->k, NULL, err) ||
        ints_attr(n, "pads", 4, p->pads, NULL, err) ||
        ints_attr(n, "strides", 2, p->s, NULL, err) ||
        ints_attr(n, "dilations", 2, p->d, ones, err))
        return -1;
    for (int i = 0; i < 2; i++)
        if (p->k[i] < 1 || p->s[i] < 1 || p->d[i] < 1)
            return qo_fail(err, n, FINN_ERR_INVALID,
                           "kernel_shape, strides and dilations must be positive");
    p->ceil_mode = finn_node_attr_i(n, "ceil_mode", 0) != 0;
    return 0;
}

static void maxpool_out_dims(const maxpool_params *p, int64_t h, int64_t w, int64_t *oh,
                             int64_t *ow)
{
    *oh = pool_out_dim(h, p->k[0], p->s[0], p->pads[0] + p->pads[2], p->d[0], p->ceil_mode);
    *ow = pool_out_dim(w, p->k[1], p->s[1], p->pads[1] + p->pads[3], p->d[1], p->ceil_mode);
}

static int maxpool_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    maxpool_params p;
    const finn_value *in = qo_known_input(m, n, 0, err);
    if (!in || maxpool_params_get(n, &p, err))
        return -1;
    if (in->ndim != 4)
        return qo_fail(err, n, FINN_ERR_INVALID, "input must be 4-D NHWC, got %d-D", in->ndim);
    if (p.pads[0] != p.pads[2] || p.pads[1] != p.pads[3])
        return qo_fail(err, n, FINN_ERR_UNSUPPORTED, "uneven padding is not supported");
    int64_t os[4] = {in->shape[0], 0, 0, in->shape[3]};
    maxpool_out_dims(&p, in->shape[1], in->shape[2], &os[1], &os[2]);
    return finn_model_set_shape(m, n->outputs[0], FINN_ELEM_FLOAT, 4, os, err);
}

static float window_max(const float *x, int64_t h, int64_t w, int64_t c, const maxpool_params *p,
                        int64_t oy, int64_t ox)
{
    float best = -FLT_MAX;
    for (int64_t ky = 0; ky < p->k[0]; ky++) {
        int64_t y = oy * p->s[0] - p->pads[0] + ky * p->d[0];
        if (y < 0 || y >= h)
            continue;
        for (int64_t kx = 0; kx < p->k[1]; kx++) {
            int64_t xx = ox * p->s[1] - p->pads[1] + kx * p->d[1];
            if (xx < 0 || xx >= w)
                continue;
            float v = x[(y * w + xx) * c];
            if (v > best)
                best = v;
        }
    }
    return best;
}

static int maxpool_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                        finn_error *err)
{
    (void)m;
    maxpool_params p;
    const finn_tensor *x = qo_input(ctx, n, 0, err);
    if (!x || maxpool_params_get(n, &p, err))
        return -1;
    if (x->ndim != 4)
        return qo_fail(err, n, FINN_ERR_INVALID, "input must be 4-D NHWC, got %d-D", x->ndim);
    int64_t nb = x->shape[0], h = x->shape[1], w = x->shape[2], c = x->shape[3], oh, ow;
    maxpool_out_dims(&p, h, w, &oh, &ow);
    if (oh < 0 || ow < 0)
        return qo_fail(err, n, FINN_ERR_INVALID, "kernel does not fit the padded input");
    qo_floats xv;
    if (qo_floats_get(x, &xv, err))
        return -1;
    int64_t os[4] = {nb, oh, ow, c};
    finn_tensor *y = qo_output_new(ctx, n, 0, FINN_ELEM_FLOAT, 4, os, err);
    if (y) {
        float *yv = y->data;
        size_t i = 0;
        for (int64_t b = 0; b < nb; b++)
            for (int64_t oy = 0; oy < oh; oy++)
                for (int64_t ox = 0; ox < ow; ox++)
                    for (int64_t ch = 0; ch < c; ch++)
                        yv[i++] = window_max(xv.v + b * h * w * c + ch, h, w, c, &p, oy, ox);
    }
    qo_floats_release(&xv);
    return y ? 0 : -1;
}

/* ---- QuantAvgPool2d --------------------------------------------------- */

typedef struct avgpool_params {
    int64_t k, s, ibits, obits;
    int is_signed, nhwc;
} avgpool_params;

static int avgpool_params_get(const finn_node *n, avgpool_params *p, finn_error *err)
{
    static const char *const req[] = {"stride", "kernel", "ibits", "obits", "signed"};
    for (size_t i = 0; i < sizeof req / sizeof req[0]; i++)
        if (!finn_node_attr(n, req[i]))
            return qo_fail(err, n, FINN_ERR_INVALID, "attribute '%s' is required", req[i]);
    p->s = finn_node_attr_i(n, "stride", 1);
    p->k = finn_node_attr_i(n, "kernel", 1);
    p->ibits = finn_node_attr_i(n, "ibits", 1);
    p->obits = finn_node_attr_i(n, "obits", 1);
    p->is_signed = finn_node_attr_i(n, "signed", 0) != 0;
    const char *layout = finn_node_attr_s(n, "data_layout", "NCHW");
    if (strcmp(layout, "NCHW") && strcmp(layout, "NHWC"))
        return qo_fail(err, n, FINN_ERR_INVALID, "data_layout '%s' is neither NCHW nor NHWC",
                       layout);
    p->nhwc = !strcmp(layout, "NHWC");
    if (p->k < 1 || p->s < 1 || p->ibits < 1 || p->ibits > 62)
        return qo_fail(err, n, FINN_ERR_INVALID, "kernel and stride must be positive, ibits 1..62");
    return 0;
}

/* Right shift that turns the accumulator into obits (never negative). */
static int avgpool_shift(const avgpool_params *p)
{
    double maxv = (pow(2.0, (double)p->ibits) - 1.0) * (double)(p->k * p->k);
    int acc_bits = 0;
    for (double v = maxv; v >= 1.0; v = floor(v / 2.0))
        acc_bits++; /* python int.bit_length */
    int shift = acc_bits - (int)p->obits;
    return shift > 0 ? shift : 0;
}

static int avgpool_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    avgpool_params p;
    const finn_value *in = qo_known_input(m, n, 0, err);
    if (!in || avgpool_params_get(n, &p, err))
        return -1;
    if (in->ndim != 4)
        return qo_fail(err, n, FINN_ERR_INVALID, "input must be 4-D, got %d-D", in->ndim);
    int hx = p.nhwc ? 1 : 2;
    int64_t os[4];
    memcpy(os, in->shape, sizeof os);
    os[hx] = pool_out_dim(in->shape[hx], p.k, p.s, 0, 1, 0);
    os[hx + 1] = pool_out_dim(in->shape[hx + 1], p.k, p.s, 0, 1, 0);
    return finn_model_set_shape(m, n->outputs[0], FINN_ELEM_FLOAT, 4, os, err);
}

/* Flat offset of (b, y, x, c) in an NCHW or NHWC tensor. */
static size_t at(int nhwc, const int64_t *d, int64_t b, int64_t y, int64_t x, int64_t c)
{
    /* d = {N, C, H, W} */
    if (nhwc)
        return (size_t)(((b * d[2] + y) * d[3] + x) * d[1] + c);
    return (size_t)(((b * d[1] + c) * d[2] + y) * d[3] + x);
}

static int avgpool_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                        finn_error *err)
{
    (void)m;
    avgpool_params p;
    const finn_tensor *x = qo_input(ctx, n, 0, err);
    if (!x || avgpool_params_get(n, &p, err))
        return -1;
    if (x->ndim != 4)
        return qo_fail(err, n, FINN_ERR_INVALID, "input must be 4-D, got %d-D", x->ndim);
    int64_t d[4] = {x->shape[0], x->shape[p.nhwc ? 3 : 1], x->shape[p.nhwc ? 1 : 2],
                    x->shape[p.nhwc ? 2 : 3]};
    int64_t od[4] = {d[0], d[1], pool_out_dim(d[2], p.k, p.s, 0, 1, 0),
                     pool_out_dim(d[3], p.k, p.s, 0, 1, 0)};
    if (od[2] < 1 || od[3] < 1)
        return qo_fail(err, n, FINN_ERR_INVALID, "kernel %lld is larger than the input",
                       (long long)p.k);
    int64_t os[4] = {od[0], p.nhwc ? od[2] : od[1], p.nhwc ? od[3] : od[2],
                     p.nhwc ? od[1] : od[3]};
    int shift = avgpool_shift(&p);
    qo_floats xv;
    if (qo_floats_get(x, &xv, err))
        return -1;
    finn_tensor *y = qo_output_new(ctx, n, 0, FINN_ELEM_FLOAT, 4, os, err);
    if (y) {
        float *yv = y->data;
        float kk = (float)(p.k * p.k);
        for (int64_t b = 0; b < od[0]; b++)
            for (int64_t c = 0; c < od[1]; c++)
                for (int64_t oy = 0; oy < od[2]; oy++)
                    for (int64_t ox = 0; ox < od[3]; ox++) {
                        /* onnxruntime: float sum / pool size; QONNX then
                         * multiplies back by k*k and rounds */
                        float sum = 0.0f;
                        for (int64_t ky = 0; ky < p.k; ky++)
                            for (int64_t kx = 0; kx < p.k; kx++)
                                sum += xv.v[at(p.nhwc, d, b, oy * p.s + ky, ox * p.s + kx, c)];
                        float acc = qo_round_half_even(sum / kk * kk);
                        /* arithmetic shift = floor division by 2^shift */
                        double v = floor((double)(int64_t)acc / ldexp(1.0, shift));
                        yv[at(p.nhwc, od, b, oy, ox, c)] = (float)v;
                    }
    }
    qo_floats_release(&xv);
    return y ? 0 : -1;
}

static int avgpool_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    int64_t bits = finn_node_attr_i(n, "obits", 1);
    if (bits < 2 || bits > 32)
        return qo_fail(err, n, FINN_ERR_UNSUPPORTED, "obits %lld: output type must be 2..32 bits",
                       (long long)bits);
    char name[16];
    snprintf(name, sizeof name, "%sINT%d", finn_node_attr_i(n, "signed", 0) ? "" : "U",
             (int)bits);
    return qo_set_datatype_name(m, n, 0, name, err);
}

static int maxpool_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    return qo_datatype_like_input(m, n, err);
}

const finn_op qo_pool_ops[] = {
    {QONNX_DOMAIN, "MaxPoolNHWC", maxpool_shapes, maxpool_datatypes, maxpool_exec, NULL},
    {QONNX_DOMAIN, "QuantAvgPool2d", avgpool_shapes, avgpool_datatypes, avgpool_exec, NULL},
};
const size_t qo_pool_ops_count = sizeof qo_pool_ops / sizeof qo_pool_ops[0];
