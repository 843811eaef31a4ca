/*
 * im2col.c - Im2Col on NHWC input (finn-frontend.md 3.6, QONNX im2col.py).
 *
 * Attributes: stride [sh,sw], kernel_size [kh,kw], input_shape "(1,H,W,C)"
 * (used by shape inference only), pad_amount [top,left,bottom,right],
 * pad_value, dilations [dh,dw], depthwise (not read here).
 * out[n, oy, ox, (ky*kw + kx)*C + c] = xpad[n, oy*sh + ky*dh, ox*sw + kx*dw, c]
 * for N = 1.  For N > 1 QONNX's final reshape interleaves the batches; the
 * index arithmetic in im2col_source reproduces that exactly.
 */
#include "qonnx_common.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

typedef struct im2col_params {
    int64_t kh, kw, sh, sw, dh, dw;
    int64_t pad[4]; /* top, left, bottom, right */
    int64_t pad_value;
} im2col_params;

/* QONNX compute_conv_output_dim: int() of a float quotient, i.e. truncation. */
static int64_t conv_out_dim(int64_t in, int64_t k, int64_t stride, int64_t total_pad,
                            int64_t dil)
{
    return (int64_t)((double)(in + total_pad - dil * (k - 1) - 1) / (double)stride + 1.0);
}

static int pair_attr(const finn_node *n, const char *name, int required, int64_t dflt,
                     int64_t *a, int64_t *b, finn_error *err)
{
    const int64_t *v;
    size_t cnt = finn_node_attr_ints(n, name, &v);
    if (!v) {
        if (required)
            return qo_fail(err, n, FINN_ERR_INVALID, "attribute '%s' is required", name);
        *a = *b = dflt;
        return 0;
    }
    if (cnt != 2)
        return qo_fail(err, n, FINN_ERR_INVALID, "attribute '%s' needs 2 values, has %zu",
                       name, cnt);
    *a = v[0];
    *b = v[1];
    return 0;
}

static int im2col_params_get(const finn_node *n, im2col_params *p, finn_error *err)
{
    if (pair_attr(n, "kernel_size", 1, 0, &p->kh, &p->kw, err) ||
        pair_attr(n, "stride", 1, 0, &p->sh, &p->sw, err) ||
        pair_attr(n, "dilations", 0, 1, &p->dh, &p->dw, err))
        return -1;
    if (p->sh < 1 || p->sw < 1 || p->kh < 1 || p->kw < 1 || p->dh < 1 || p->dw < 1)
        return qo_fail(err, n, FINN_ERR_INVALID,
                       "kernel_size, stride and dilations must be positive");
    const int64_t *pad;
    size_t cnt = finn_node_attr_ints(n, "pad_amount", &pad);
    if (pad && cnt != 4)
        return qo_fail(err, n, FINN_ERR_INVALID, "attribute 'pad_amount' needs 4 values, has %zu",
                       cnt);
    for (int i = 0; i < 4; i++) {
        p->pad[i] = pad ? pad[i] : 0;
        if (p->pad[i] < 0)
            return qo_fail(err, n, FINN_ERR_INVALID, "pad_amount must not be negative");
    }
    p->pad_value = finn_node_attr_i(n, "pad_value", 0);
    return 0;
}

/* Parse "(1, 32, 32, 3)" (python tuple text) into 4 integers. */
static int parse_input_shape(const finn_node *n, int64_t *shape, finn_error *err)
{
    const char *s = finn_node_attr_s(n, "input_shape", NULL);
    if (!s)
        return qo_fail(err, n, FINN_ERR_INVALID, "attribute 'input_shape' is required");
    const char *p = s;
    int count = 0;
    while (*p == ' ' || *p == '(' || *p == '[')
        p++;
    while (*p && *p != ')' && *p != ']') {
        char *end;
        errno = 0;
        long long v = strtoll(p, &end, 10);
        if (end == p || errno || count == 4)
            return qo_fail(err, n, FINN_ERR_INVALID,
                           "input_shape '%s' is not a 4-D shape like (1, H, W, C)", s);
        shape[count++] = v;
        p = end;
        while (*p == ' ' || *p == ',')
            p++;
    }
    if (count != 4)
        return qo_fail(err, n, FINN_ERR_INVALID,
                       "input_shape '%s' is not a 4-D shape like (1, H, W, C)", s);
    return 0;
}

/* Shape from the input_shape attribute, batch assumed 1, as QONNX does. */
static int im2col_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    im2col_params p;
    int64_t is[4];
    if (im2col_params_get(n, &p, err) || parse_input_shape(n, is, err))
        return -1;
    if (n->n_outputs < 1 || !n->outputs[0][0])
        return qo_fail(err, n, FINN_ERR_INVALID, "output 0 is required");
    int64_t os[4] = {1, conv_out_dim(is[1], p.kh, p.sh, p.pad[0] + p.pad[2], p.dh),
                     conv_out_dim(is[2], p.kw, p.sw, p.pad[1] + p.pad[3], p.dw),
                     p.kh * p.kw * is[3]};
    return finn_model_set_shape(m, n->outputs[0], FINN_ELEM_FLOAT, 4, os, err);
}

typedef struct im2col_geom {
    int64_t n, h, w, c, oh, ow;
} im2col_geom;

/* Source element of output flat index g (QONNX's index order), or -1 for
 * a padding position.  QONNX builds cols[(c*kh + ky)*kw + kx][pos][b] and
 * reinterprets that memory as (n, c, kh, kw, oh, ow); decoding g in the
 * second order and re-encoding in the first gives the source. */
static int64_t im2col_source(const im2col_params *p, const im2col_geom *g, int64_t oy,
                             int64_t ox, int64_t ky, int64_t kx, int64_t c, int64_t b)
{
    int64_t flat = ((((b * g->c + c) * p->kh + ky) * p->kw + kx) * g->oh + oy) * g->ow + ox;
    int64_t sb = flat % g->n, rest = flat / g->n;
    int64_t pos = rest % (g->oh * g->ow), ckk = rest / (g->oh * g->ow);
    int64_t sc = ckk / (p->kh * p->kw), sky = (ckk / p->kw) % p->kh, skx = ckk % p->kw;
    int64_t y = (pos / g->ow) * p->sh + sky * p->dh - p->pad[0];
    int64_t x = (pos % g->ow) * p->sw + skx * p->dw - p->pad[1];
    if (y < 0 || y >= g->h || x < 0 || x >= g->w)
        return -1;
    return ((sb * g->h + y) * g->w + x) * g->c + sc;
}

static int im2col_check(const finn_model *m, const finn_node *n, const im2col_params *p,
                        const finn_tensor *x, finn_error *err)
{
    if (x->ndim != 4)
        return qo_fail(err, n, FINN_ERR_INVALID, "input must be 4-D NHWC, got %d-D", x->ndim);
    int padded = p->pad[0] || p->pad[1] || p->pad[2] || p->pad[3];
    finn_datatype idt = finn_model_datatype(m, n->inputs[0]);
    if (padded && !finn_dt_allowed(idt, (double)p->pad_value)) {
        char buf[FINN_DT_NAME_MAX];
        return qo_fail(err, n, FINN_ERR_INVALID, "pad_value %lld is not allowed by input type %s",
                       (long long)p->pad_value, finn_dt_name(idt, buf, sizeof buf));
    }
    if (x->shape[1] == 1 && (p->kh != 1 || p->pad[0] + p->pad[2] != 0))
        return qo_fail(err, n, FINN_ERR_INVALID, "input height 1 needs kernel height 1, no pad");
    if (x->shape[2] == 1 && (p->kw != 1 || p->pad[1] + p->pad[3] != 0))
        return qo_fail(err, n, FINN_ERR_INVALID, "input width 1 needs kernel width 1, no pad");
    return 0;
}

static int im2col_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                       finn_error *err)
{
    im2col_params p;
    const finn_tensor *x = qo_input(ctx, n, 0, err);
    if (!x || im2col_params_get(n, &p, err) || im2col_check(m, n, &p, x, err))
        return -1;
    im2col_geom g = {x->shape[0], x->shape[1], x->shape[2], x->shape[3], 0, 0};
    g.oh = conv_out_dim(g.h, p.kh, p.sh, p.pad[0] + p.pad[2], p.dh);
    g.ow = conv_out_dim(g.w, p.kw, p.sw, p.pad[1] + p.pad[3], p.dw);
    if (g.oh < 1 || g.ow < 1)
        return qo_fail(err, n, FINN_ERR_INVALID, "kernel does not fit the padded input");
    int64_t os[4] = {g.n, g.oh, g.ow, p.kh * p.kw * g.c};
    finn_tensor *y = qo_output_new(ctx, n, 0, x->type, 4, os, err);
    if (!y)
        return -1;
    size_t i = 0;
    for (int64_t b = 0; b < g.n; b++)
        for (int64_t oy = 0; oy < g.oh; oy++)
            for (int64_t ox = 0; ox < g.ow; ox++)
                for (int64_t ky = 0; ky < p.kh; ky++)
                    for (int64_t kx = 0; kx < p.kw; kx++)
                        for (int64_t c = 0; c < g.c; c++, i++) {
                            int64_t src = im2col_source(&p, &g, oy, ox, ky, kx, c, b);
                            finn_tensor_set(y, i,
                                            src < 0 ? (double)p.pad_value
                                                    : finn_tensor_get(x, (size_t)src));
                        }
    return 0;
}

static int im2col_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    return qo_datatype_like_input(m, n, err);
}

const finn_op qo_im2col_op = {QONNX_DOMAIN, "Im2Col", im2col_shapes, im2col_datatypes,
                              im2col_exec, NULL};
