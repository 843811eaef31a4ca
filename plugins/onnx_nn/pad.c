/*
 * pad.c - Pad: pads/value attributes before opset 11, pads/constant_value
 * (/axes from 18) inputs afterwards; modes constant, reflect, edge, wrap;
 * negative pads crop.  Each output index along a dim maps to an input
 * index or to "padding", so every element type is a byte copy.
 */
#include "nn.h"

#include <stdlib.h>
#include <string.h>

typedef enum { PAD_CONSTANT, PAD_REFLECT, PAD_EDGE, PAD_WRAP } pad_mode;

typedef struct pad_plan {
    int ndim;
    int64_t pb[FINN_MAX_DIMS], pe[FINN_MAX_DIMS];
    pad_mode mode;
} pad_plan;

static int pad_plan_make(const nn_args *a, pad_plan *p, finn_error *err)
{
    int64_t pads[2 * FINN_MAX_DIMS], axes[FINN_MAX_DIMS];
    size_t np, na;
    bool found, fa;
    if (nn_need_shape(a, 0, err) ||
        nn_ints_arg(a, "pads", 1, pads, 2 * FINN_MAX_DIMS, &np, &found, err) ||
        nn_ints_arg(a, "axes", 3, axes, FINN_MAX_DIMS, &na, &fa, err))
        return -1;
    int r = a->in[0].ndim;
    size_t want = fa ? na : (size_t)r;
    if (!found || np != 2 * want)
        return finn_error_set(err, FINN_ERR_INVALID, "pads needs %zu values, has %zu",
                              2 * want, found ? np : 0);
    p->ndim = r;
    memset(p->pb, 0, sizeof p->pb);
    memset(p->pe, 0, sizeof p->pe);
    for (size_t i = 0; i < want; i++) {
        int d = (int)i;
        if (fa && nn_axis(a, axes[i], r, "axis", &d, err))
            return -1;
        p->pb[d] = pads[i];
        p->pe[d] = pads[i + want];
        if (a->in[0].shape[d] + p->pb[d] + p->pe[d] < 0)
            return finn_error_set(err, FINN_ERR_INVALID, "pads crop dim %d below zero", d);
    }
    const char *mode = finn_node_attr_s(a->n, "mode", "constant");
    static const char *const names[] = {"constant", "reflect", "edge", "wrap"};
    for (int m = 0; m < 4; m++)
        if (!strcmp(mode, names[m])) {
            p->mode = (pad_mode)m;
            return 0;
        }
    return finn_error_set(err, FINN_ERR_INVALID, "unknown mode '%s'", mode);
}

static int pad_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    pad_plan p;
    if (pad_plan_make(a, &p, err))
        return -1;
    nn_out_like(&out[0], &a->in[0]);
    for (int i = 0; i < p.ndim; i++)
        out[0].shape[i] += p.pb[i] + p.pe[i];
    return 0;
}

/* Input index for output index o along a dim of size dim, -1 = padding. */
static int64_t map_index(int64_t o, int64_t pb, int64_t dim, pad_mode mode)
{
    int64_t x = o - pb;
    if (x >= 0 && x < dim)
        return x;
    if (mode == PAD_CONSTANT || dim == 0)
        return -1;
    if (mode == PAD_EDGE)
        return x < 0 ? 0 : dim - 1;
    if (mode == PAD_WRAP)
        return ((x % dim) + dim) % dim;
    if (dim == 1)
        return 0;
    int64_t period = 2 * (dim - 1); /* reflect without repeating the edge */
    x = ((x % period) + period) % period;
    return x < dim ? x : period - x;
}

/* The constant as one element of type t, written into buf. */
static void pad_value(const nn_args *a, finn_elem_type t, unsigned char *buf)
{
    finn_tensor tmp = {t, 0, {0}, buf};
    double v = finn_node_attr_f(a->n, "value", 0.0f);
    const finn_tensor *cv = nn_has(a, 2) ? a->in[2].t : NULL;
    memset(buf, 0, 16);
    if (cv && finn_tensor_numel(cv) > 0) {
        if (cv->type == t) {
            memcpy(buf, cv->data, finn_elem_size(t));
            return;
        }
        v = finn_tensor_get(cv, 0);
    }
    finn_tensor_set(&tmp, 0, v);
}

static int pad_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    pad_plan p;
    if (pad_plan_make(a, &p, err))
        return -1;
    const finn_tensor *x = a->in[0].t;
    finn_tensor *y = outs[0];
    size_t es = finn_elem_size(x->type), n = finn_tensor_numel(y), total = 0;
    unsigned char fill[16];
    pad_value(a, x->type, fill);
    int64_t *map[FINN_MAX_DIMS] = {NULL}, xs[FINN_MAX_DIMS], idx[FINN_MAX_DIMS] = {0};
    for (int i = 0; i < p.ndim; i++)
        total += (size_t)y->shape[i];
    int64_t *buf = nn_alloc(total, sizeof *buf, err);
    if (!buf)
        return -1;
    size_t at = 0;
    for (int i = 0; i < p.ndim; at += (size_t)y->shape[i], i++) {
        map[i] = buf + at;
        for (int64_t o = 0; o < y->shape[i]; o++)
            map[i][o] = map_index(o, p.pb[i], x->shape[i], p.mode);
    }
    nn_strides(x->ndim, x->shape, xs);
    char *dst = y->data;
    for (size_t o = 0; o < n; o++) {
        int64_t off = 0;
        for (int i = 0; i < p.ndim && off >= 0; i++)
            off = map[i][idx[i]] < 0 ? -1 : off + map[i][idx[i]] * xs[i];
        memcpy(dst + o * es, off < 0 ? (const void *)fill
                                     : (const void *)((const char *)x->data + (size_t)off * es),
               es);
        for (int i = p.ndim - 1; i >= 0 && ++idx[i] == y->shape[i]; i--)
            idx[i] = 0;
    }
    free(buf);
    return 0;
}

NN_OP(pad, pad_shape, pad_exec)
