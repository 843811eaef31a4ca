/*
 * conv.c - ONNX Conv (1-D and 2-D, group, pads/auto_pad, strides,
 * dilations, optional bias) by im2col and the float32 GEMM of gemm.c.
 *
 * Arithmetic: float32 throughout.  Each output is
 *     y[n][m][oy][ox] = (sum over c, then ky, then kx of w * x) + b[m]
 * i.e. the sum runs over input channel (outermost), kernel row, kernel
 * column (innermost) in increasing order, starting at 0.0f, with the bias
 * added last.  For integer-valued data (FINN's quantized networks) every
 * partial sum is exact, so the result equals onnxruntime's bit for bit.
 */
#include "nn.h"

#include <stdlib.h>
#include <string.h>

typedef struct conv_plan {
    nn_window w;
    int64_t N, C, M, group;
} conv_plan;

static int conv_plan_make(const nn_args *a, conv_plan *p, finn_error *err)
{
    if (nn_need_shape(a, 0, err) || nn_need_shape(a, 1, err))
        return -1;
    const nn_in *x = &a->in[0], *w = &a->in[1];
    if (x->ndim < 3 || x->ndim > 4 || w->ndim != x->ndim)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "X has %d dims and W %d dims (1-D or 2-D convolution expected)",
                              x->ndim, w->ndim);
    p->N = x->shape[0];
    p->C = x->shape[1];
    p->M = w->shape[0];
    p->group = finn_node_attr_i(a->n, "group", 1);
    if (p->group < 1 || p->C % p->group || p->M % p->group || w->shape[1] * p->group != p->C)
        return finn_error_set(
            err, FINN_ERR_INVALID, "X has %lld channels, W is %lld x %lld, group %lld: mismatch",
            (long long)p->C, (long long)p->M, (long long)w->shape[1], (long long)p->group);
    if (nn_has(a, 2) && a->in[2].ndim >= 0 && (a->in[2].ndim != 1 || a->in[2].shape[0] != p->M))
        return finn_error_set(err, FINN_ERR_INVALID, "bias must have shape (%lld)",
                              (long long)p->M);
    if (nn_window_init(a, x->ndim - 2, x->shape + 2, w->shape + 2, false, &p->w, err))
        return -1;
    for (int i = 0; i < p->w.nsp; i++) /* kernel_shape must agree with W */
        if (p->w.k[2 - p->w.nsp + i] != w->shape[2 + i])
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "kernel_shape %lld differs from W's spatial dim %lld",
                                  (long long)p->w.k[2 - p->w.nsp + i], (long long)w->shape[2 + i]);
    return 0;
}

static int conv_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    conv_plan p;
    if (conv_plan_make(a, &p, err))
        return -1;
    out[0].elem = a->in[0].elem;
    out[0].ndim = a->in[0].ndim;
    out[0].shape[0] = p.N;
    out[0].shape[1] = p.M;
    for (int i = 0; i < p.w.nsp; i++)
        out[0].shape[2 + i] = p.w.out[2 - p.w.nsp + i];
    return 0;
}

/* col[(c*kh + ky)*kw + kx][oy*OW + ox] = x[c][iy][ix] or 0 in the padding */
static void im2col(const nn_window *w, size_t Cg, const float *x, float *col)
{
    const int64_t H = w->in[0], W = w->in[1], OH = w->out[0], OW = w->out[1];
    float *row = col;
    for (size_t c = 0; c < Cg; c++) {
        const float *xc = x + c * (size_t)(H * W);
        for (int64_t ky = 0; ky < w->k[0]; ky++)
            for (int64_t kx = 0; kx < w->k[1]; kx++, row += OH * OW)
                for (int64_t oy = 0; oy < OH; oy++) {
                    int64_t iy = oy * w->s[0] - w->pb[0] + ky * w->d[0];
                    float *r = row + oy * OW;
                    if (iy < 0 || iy >= H) {
                        memset(r, 0, (size_t)OW * sizeof *r);
                        continue;
                    }
                    for (int64_t ox = 0; ox < OW; ox++) {
                        int64_t ix = ox * w->s[1] - w->pb[1] + kx * w->d[1];
                        r[ox] = (ix < 0 || ix >= W) ? 0.0f : xc[iy * W + ix];
                    }
                }
    }
}

/* A 1x1 kernel with unit stride and no padding reads X as it is. */
static int is_pointwise(const nn_window *w)
{
    for (int i = 0; i < 2; i++)
        if (w->k[i] != 1 || w->s[i] != 1 || w->pb[i] || w->pe[i] || w->out[i] != w->in[i])
            return 0;
    return 1;
}

static int conv_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    conv_plan p;
    finn_tensor *tx = NULL, *tw = NULL, *tb = NULL, *yt = outs[0];
    float *y = NULL, *col = NULL;
    int rc = -1;
    if (conv_plan_make(a, &p, err))
        return -1;
    const size_t Cg = (size_t)(p.C / p.group), Mg = (size_t)(p.M / p.group);
    const size_t K = Cg * (size_t)(p.w.k[0] * p.w.k[1]);
    const size_t P = (size_t)(p.w.out[0] * p.w.out[1]), HW = (size_t)(p.w.in[0] * p.w.in[1]);
    const float *x = nn_floats(a->in[0].t, &tx, err);
    const float *wt = x ? nn_floats(a->in[1].t, &tw, err) : NULL;
    const float *b = NULL;
    if (!wt)
        goto done;
    if (nn_has(a, 2) && !(b = nn_floats(a->in[2].t, &tb, err)))
        goto done;
    y = yt->type == FINN_ELEM_FLOAT ? (float *)yt->data
                                    : nn_alloc(finn_tensor_numel(yt), sizeof *y, err);
    int pointwise = is_pointwise(&p.w);
    if (!y || (!pointwise && !(col = nn_alloc(K * P, sizeof *col, err))))
        goto done;
    for (int64_t n = 0; n < p.N; n++)
        for (int64_t g = 0; g < p.group; g++) {
            const float *xg = x + ((size_t)n * (size_t)p.C + (size_t)g * Cg) * HW;
            float *yg = y + ((size_t)n * (size_t)p.M + (size_t)g * Mg) * P;
            const float *B = xg;
            if (!pointwise) {
                im2col(&p.w, Cg, xg, col);
                B = col;
            }
            if (nn_sgemm(Mg, P, K, wt + (size_t)g * Mg * K, K, B, P, yg, P, err))
                goto done;
            for (size_t m = 0; b && m < Mg; m++)
                for (size_t i = 0; i < P; i++)
                    yg[m * P + i] += b[(size_t)g * Mg + m];
        }
    if (yt->type != FINN_ELEM_FLOAT)
        nn_store_floats(yt, y);
    rc = 0;
done:
    if (y && (void *)y != outs[0]->data)
        free(y);
    free(col);
    finn_tensor_free(tx);
    finn_tensor_free(tw);
    finn_tensor_free(tb);
    return rc;
}

NN_OP(conv, conv_shape, conv_exec)
