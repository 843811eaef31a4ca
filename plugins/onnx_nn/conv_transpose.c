/*
 * conv_transpose.c - ONNX ConvTranspose (1-D and 2-D; group, strides,
 * pads/auto_pad, output_padding, output_shape, dilations, optional bias).
 *
 * Geometry follows onnxruntime: without output_shape,
 *     out = (in - 1) * stride + output_padding + (k - 1) * dilation + 1 - pb - pe
 * and with output_shape (or auto_pad SAME_*, whose target is in * stride)
 * the total padding max(0, full - out) is split with the odd element at
 * the start for SAME_UPPER, at the end otherwise.
 *
 * Arithmetic (float32): col = W^T X per group (each col entry summed over
 * input channels in increasing order), then col2im adds the columns into
 * the zeroed output in (m, ky, kx, iy, ix) order, then the bias.  This is
 * onnxruntime's order; integer-valued data gives exact results.
 */
#include "nn.h"

#include <stdlib.h>
#include <string.h>

typedef struct ct_plan {
    int nsp;
    int64_t N, C, M, group;
    int64_t in[2], k[2], s[2], d[2], pb[2], pe[2], out[2];
} ct_plan;

static int ct_list(const nn_args *a, const char *name, int nsp, int64_t dflt, int64_t *v,
                   finn_error *err)
{
    const int64_t *av;
    size_t n = finn_node_attr_ints(a->n, name, &av);
    for (int i = 0; i < 2 * nsp; i++)
        v[i] = dflt;
    if (!av)
        return 0;
    if (n != (size_t)nsp && !(n == (size_t)(2 * nsp) && !strcmp(name, "pads")))
        return finn_error_set(err, FINN_ERR_INVALID, "attribute %s has %zu values",
                              name, n);
    memcpy(v, av, n * sizeof *v);
    return 0;
}

static int ct_plan_make(const nn_args *a, ct_plan *p, finn_error *err)
{
    if (nn_need_shape(a, 0, err) || nn_need_shape(a, 1, err))
        return -1;
    const nn_in *x = &a->in[0], *w = &a->in[1];
    if (x->ndim < 3 || x->ndim > 4 || w->ndim != x->ndim)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "X has %d dims, W %d (1-D or 2-D expected)", x->ndim,
                              w->ndim);
    int nsp = x->ndim - 2, off = 2 - nsp;
    int64_t s[4], d[4], op[4], pads[4], osh[4];
    p->nsp = nsp;
    p->N = x->shape[0];
    p->C = x->shape[1];
    p->group = finn_node_attr_i(a->n, "group", 1);
    p->M = w->shape[1] * p->group;
    if (p->group < 1 || w->shape[0] != p->C || p->C % p->group)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "X has %lld channels, W dim 0 is %lld, group %lld",
                              (long long)p->C, (long long)w->shape[0], (long long)p->group);
    if (ct_list(a, "strides", nsp, 1, s, err) || ct_list(a, "dilations", nsp, 1, d, err) ||
        ct_list(a, "output_padding", nsp, 0, op, err) || ct_list(a, "pads", nsp, 0, pads, err))
        return -1;
    const int64_t *ov;
    size_t nos = finn_node_attr_ints(a->n, "output_shape", &ov);
    if (ov && nos != (size_t)nsp && nos != (size_t)x->ndim)
        return finn_error_set(err, FINN_ERR_INVALID, "output_shape has %zu values",
                              nos);
    for (int i = 0; i < nsp; i++)
        osh[i] = ov ? ov[nos - (size_t)nsp + (size_t)i] : -1;
    const char *ap = finn_node_attr_s(a->n, "auto_pad", "NOTSET");
    bool same = !strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER");
    bool upper = !strcmp(ap, "SAME_UPPER");
    p->in[0] = p->k[0] = p->s[0] = p->d[0] = p->out[0] = 1;
    p->pb[0] = p->pe[0] = 0;
    for (int i = 0; i < nsp; i++) {
        int j = i + off;
        p->in[j] = x->shape[2 + i];
        p->k[j] = w->shape[2 + i];
        p->s[j] = s[i];
        p->d[j] = d[i];
        p->pb[j] = !strcmp(ap, "VALID") ? 0 : pads[i];
        p->pe[j] = !strcmp(ap, "VALID") ? 0 : pads[i + nsp];
        int64_t full = (p->in[j] - 1) * s[i] + op[i] + (p->k[j] - 1) * d[i] + 1;
        if (s[i] < 1 || d[i] < 1)
            return finn_error_set(err, FINN_ERR_INVALID, "bad strides/dilations");
        if (osh[i] >= 0 || same) {
            int64_t target = osh[i] >= 0 ? osh[i] : p->in[j] * s[i];
            int64_t total = full - target > 0 ? full - target : 0;
            p->pb[j] = upper ? total - total / 2 : total / 2;
            p->pe[j] = total - p->pb[j];
            if (osh[i] >= 0) {
                p->out[j] = osh[i];
                continue;
            }
        }
        p->out[j] = full - p->pb[j] - p->pe[j];
        if (p->out[j] < 1)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "output size %lld on spatial dim %d",
                                  (long long)p->out[j], i);
    }
    if (nn_has(a, 2) && a->in[2].ndim >= 0 &&
        (a->in[2].ndim != 1 || a->in[2].shape[0] != p->M))
        return finn_error_set(err, FINN_ERR_INVALID, "bias must have shape (%lld)",
                              (long long)p->M);
    return 0;
}

static int ct_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    ct_plan p;
    if (ct_plan_make(a, &p, err))
        return -1;
    out[0].elem = a->in[0].elem;
    out[0].ndim = a->in[0].ndim;
    out[0].shape[0] = p.N;
    out[0].shape[1] = p.M;
    for (int i = 0; i < p.nsp; i++)
        out[0].shape[2 + i] = p.out[2 - p.nsp + i];
    return 0;
}

/* y[m][oy][ox] += col[(m*kh + ky)*kw + kx][iy*W + ix] at oy = iy*s - pb + ky*d */
static void col2im(const ct_plan *p, size_t Mg, const float *col, float *y)
{
    const int64_t H = p->in[0], W = p->in[1], OH = p->out[0], OW = p->out[1];
    for (size_t m = 0; m < Mg; m++) {
        float *ym = y + m * (size_t)(OH * OW);
        for (int64_t ky = 0; ky < p->k[0]; ky++)
            for (int64_t kx = 0; kx < p->k[1]; kx++, col += H * W)
                for (int64_t iy = 0; iy < H; iy++) {
                    int64_t oy = iy * p->s[0] - p->pb[0] + ky * p->d[0];
                    if (oy < 0 || oy >= OH)
                        continue;
                    for (int64_t ix = 0; ix < W; ix++) {
                        int64_t ox = ix * p->s[1] - p->pb[1] + kx * p->d[1];
                        if (ox >= 0 && ox < OW)
                            ym[oy * OW + ox] += col[iy * W + ix];
                    }
                }
    }
}

static int ct_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    ct_plan p;
    finn_tensor *tx = NULL, *tw = NULL, *tb = NULL, *yt = outs[0];
    float *y = NULL, *col = NULL, *wt = NULL;
    int rc = -1;
    if (ct_plan_make(a, &p, err))
        return -1;
    const size_t Cg = (size_t)(p.C / p.group), Mg = (size_t)(p.M / p.group);
    const size_t KK = (size_t)(p.k[0] * p.k[1]), R = Mg * KK;
    const size_t HW = (size_t)(p.in[0] * p.in[1]), OHW = (size_t)(p.out[0] * p.out[1]);
    const float *x = nn_floats(a->in[0].t, &tx, err);
    const float *w = x ? nn_floats(a->in[1].t, &tw, err) : NULL;
    const float *b = NULL;
    if (!w || (nn_has(a, 2) && !(b = nn_floats(a->in[2].t, &tb, err))))
        goto done;
    y = yt->type == FINN_ELEM_FLOAT ? (float *)yt->data
                                    : nn_alloc(finn_tensor_numel(yt), sizeof *y, err);
    col = nn_alloc(R * HW, sizeof *col, err);
    wt = nn_alloc((size_t)p.group * R * Cg, sizeof *wt, err);
    if (!y || !col || !wt)
        goto done;
    /* wt[g][r][c] = W[g*Cg + c][r]: the transposed filter of each group */
    for (size_t g = 0; g < (size_t)p.group; g++)
        for (size_t c = 0; c < Cg; c++)
            for (size_t r = 0; r < R; r++)
                wt[(g * R + r) * Cg + c] = w[(g * Cg + c) * R + r];
    memset(y, 0, finn_tensor_numel(yt) * sizeof *y);
    for (int64_t n = 0; n < p.N; n++)
        for (size_t g = 0; g < (size_t)p.group; g++) {
            const float *xg = x + ((size_t)n * (size_t)p.C + g * Cg) * HW;
            float *yg = y + ((size_t)n * (size_t)p.M + g * Mg) * OHW;
            if (nn_sgemm(R, HW, Cg, wt + g * R * Cg, Cg, xg, HW, col, HW, err))
                goto done;
            col2im(&p, Mg, col, yg);
            for (size_t m = 0; b && m < Mg; m++)
                for (size_t i = 0; i < OHW; i++)
                    yg[m * OHW + i] += b[g * Mg + m];
        }
    if (yt->type != FINN_ELEM_FLOAT)
        nn_store_floats(yt, y);
    rc = 0;
done:
    if (y && (void *)y != yt->data)
        free(y);
    free(col);
    free(wt);
    finn_tensor_free(tx);
    finn_tensor_free(tw);
    finn_tensor_free(tb);
    return rc;
}

NN_OP(conv_transpose, ct_shape, ct_exec)
