/*
 * lower_convs.c - QONNX's ExtractBiasFromConv and LowerConvsToMatMul
 * (extract_conv_bias.py, lower_convs_to_matmul.py): a Conv with constant
 * weights becomes Transpose(NCHW->NHWC) -> [Im2Col] -> MatMul ->
 * Transpose(NHWC->NCHW); a Conv bias first becomes a separate Add.
 * Batch 1 is hard-wired in the new shapes, as in QONNX.
 */
#include "sl.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool is_op(const finn_node *n, const char *op)
{
    return n && !strcmp(n->op_type, op);
}

/* ---- ExtractBiasFromConv ------------------------------------------------------ */

static bool bias_from_quant(const finn_model *m, const finn_node *p)
{
    if (!p || !(is_op(p, "Quant") || is_op(p, "IntQuant") || is_op(p, "BipolarQuant")))
        return false;
    for (size_t k = 0; k < p->n_inputs; k++) /* no direct predecessors */
        if (finn_model_producer(m, p->inputs[k]))
            return false;
    return true;
}

/* Reshape initializer `name` to shape (if it exists and differs from (1,)
 * when skip_unit). */
static int reshape_init(finn_model *m, const char *name, int nd, const int64_t *shape,
                        bool skip_unit, finn_error *err)
{
    const finn_tensor *t = finn_model_initializer(m, name);
    if (!t)
        return finn_error_set(err, FINN_ERR_INVALID, "ExtractBiasFromConv: '%s' has no data",
                              name);
    int64_t one = 1;
    if (skip_unit && sl_shape_is(t, 1, &one))
        return 0;
    return sl_set_init(m, name, sl_reshaped(t, nd, shape, err), err);
}

static int extract_one(finn_model *m, size_t i, finn_node *n, finn_error *err)
{
    const char *bname = n->inputs[2];
    bool has_init = finn_model_initializer(m, bname) != NULL;
    finn_node *q = has_init ? NULL : finn_model_producer(m, bname);
    int64_t out_shape[FINN_MAX_DIMS], bshape[FINN_MAX_DIMS], add_shape[FINN_MAX_DIMS];
    int nd = sl_shape_of(m, n->outputs[0], out_shape);
    if (nd < 2 || sl_shape_of(m, bname, bshape) < 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "ExtractBiasFromConv: shapes of '%s' are unknown", n->name);
    for (int d = 0; d < nd; d++)
        add_shape[d] = 1;
    add_shape[1] = bshape[0];
    if (has_init) {
        if (reshape_init(m, bname, nd, add_shape, false, err))
            return -1;
    } else if (reshape_init(m, q->inputs[0], nd, add_shape, false, err) ||
               reshape_init(m, q->inputs[1], nd, add_shape, true, err) ||
               (q->n_inputs > 2 && reshape_init(m, q->inputs[2], nd, add_shape, true, err)) ||
               sl_set_shape(m, q->outputs[0], nd, add_shape, err)) {
        return -1;
    }
    const finn_value *ov = finn_model_value(m, n->outputs[0]);
    finn_elem_type elem = ov && ov->elem ? ov->elem : FINN_ELEM_FLOAT;
    char *act = sl_new_name(m, err);
    if (!act || finn_model_set_shape(m, act, elem, nd, out_shape, err) ||
        sl_insert(m, i + 1, sl_node("Add", "", "", act, bname, n->outputs[0], err), err) ||
        finn_node_set_output(n, 0, act, err)) {
        free(act);
        return -1;
    }
    free(act);
    free(n->inputs[2]);
    n->n_inputs = 2;
    return 0;
}

int sl_extract_bias_from_conv(const finn_registry *reg, finn_model *m, bool *changed,
                              finn_error *err)
{
    (void)reg;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!(is_op(n, "Conv") || is_op(n, "ConvTranspose")) || n->n_inputs <= 2 ||
            !n->inputs[2][0])
            continue;
        if (!finn_model_initializer(m, n->inputs[2]) &&
            !bias_from_quant(m, finn_model_producer(m, n->inputs[2])))
            continue; /* QONNX warns and skips */
        if (extract_one(m, i, n, err))
            return -1;
        *changed = true;
        return 0; /* one per pass, as QONNX */
    }
    return 0;
}

/* ---- LowerConvsToMatMul ------------------------------------------------------------ */

typedef struct conv_params {
    int64_t kh, kw, sh, sw, group, ifm, ofm, ih, iw, oh, ow;
    int64_t dil[FINN_MAX_DIMS];
    size_t n_dil;
    int64_t pad[2 * FINN_MAX_DIMS];
    size_t n_pad;
    const char *weight;    /* tensor holding the float weights */
    const char *w_input;   /* the Conv's weight input */
    const char *q_scale;   /* scale of a weight Quant node, or NULL */
    const finn_tensor *w;
} conv_params;

static int need_ints(const finn_node *n, const char *attr, size_t min, const int64_t **v,
                     finn_error *err)
{
    size_t c = finn_node_attr_ints(n, attr, v);
    if (!*v || c < min)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "LowerConvsToMatMul: Conv '%s' needs a %s attribute with %zu "
                              "values",
                              n->name, attr, min);
    return 0;
}

static int explicit_pads(const finn_node *n, conv_params *p, int in_nd, finn_error *err)
{
    const char *ap = finn_node_attr_s(n, "auto_pad", NULL);
    if (!ap || !strcmp(ap, "NOTSET")) {
        const int64_t *v = NULL;
        if (need_ints(n, "pads", 1, &v, err))
            return -1;
        p->n_pad = finn_node_attr_ints(n, "pads", &v);
        if (p->n_pad > 2 * FINN_MAX_DIMS)
            p->n_pad = 2 * FINN_MAX_DIMS;
        memcpy(p->pad, v, p->n_pad * sizeof *v);
        return 0;
    }
    int64_t th = (p->sh - 1) * p->ih - p->sh + p->kh, tw = (p->sw - 1) * p->iw - p->sw + p->kw;
    int64_t sh = th / 2, sw = tw / 2, lh = th - sh, lw = tw - sw;
    if (!strcmp(ap, "VALID")) {
        p->n_pad = 2 * (size_t)(in_nd - 2);
        memset(p->pad, 0, sizeof p->pad);
    } else if (!strcmp(ap, "SAME_UPPER") || !strcmp(ap, "SAME_LOWER")) {
        bool up = !strcmp(ap, "SAME_UPPER");
        int64_t v[4] = {up ? sh : lh, up ? sw : lw, up ? lh : sh, up ? lw : sw};
        p->n_pad = 4;
        memcpy(p->pad, v, sizeof v);
    } else {
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "Unsupported auto_pad: %s", ap);
    }
    return 0;
}

static int conv_params_get(const finn_model *m, const finn_node *n, conv_params *p,
                           finn_error *err)
{
    memset(p, 0, sizeof *p);
    const int64_t *ks = NULL, *st = NULL;
    if (need_ints(n, "kernel_shape", 2, &ks, err) || need_ints(n, "strides", 2, &st, err))
        return -1;
    /* an absent group is ONNX's default, 1 (FINN crashes on it) */
    p->kh = ks[0], p->kw = ks[1], p->sh = st[0], p->sw = st[1];
    p->group = finn_node_attr_i(n, "group", 1);
    p->weight = p->w_input = n->inputs[1];
    p->w = finn_model_initializer(m, p->weight);
    if (!p->w) {
        finn_node *q = finn_model_producer(m, p->weight);
        if (is_op(q, "Quant")) {
            p->w = finn_model_initializer(m, q->inputs[0]);
            p->weight = q->inputs[0];
            p->q_scale = q->n_inputs > 1 ? q->inputs[1] : NULL;
        }
    }
    int64_t is[FINN_MAX_DIMS], os[FINN_MAX_DIMS];
    int ind = sl_shape_of(m, n->inputs[0], is), ond = sl_shape_of(m, n->outputs[0], os);
    if (ind != 4 || ond != 4)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "LowerConvsToMatMul: Conv '%s' needs 4-D input/output shapes",
                              n->name);
    p->ifm = is[1], p->ih = is[2], p->iw = is[3];
    p->ofm = os[1], p->oh = os[2], p->ow = os[3];
    const int64_t *dv = NULL;
    p->n_dil = finn_node_attr_ints(n, "dilations", &dv);
    if (dv && p->n_dil <= FINN_MAX_DIMS) {
        memcpy(p->dil, dv, p->n_dil * sizeof *dv);
    } else {
        p->n_dil = 2;
        p->dil[0] = p->dil[1] = 1;
    }
    if (explicit_pads(n, p, ind, err))
        return -1;
    if (p->n_pad == 2 && p->ih != 1 && p->iw != 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "LowerConvsToMatMul: Conv '%s': padding is assumed to be 1D, "
                              "image is 2D",
                              n->name);
    return 0;
}

/* dst[((y*kw + x)*ic + c)*oc + o] = src[((o*ic + c)*kh + y)*kw + x] for float32,
 * in blocks of 16 output channels so each write fills a cache line. */
static void permute_f32(const float *src, float *dst, int64_t oc, int64_t ic, int64_t kh,
                        int64_t kw)
{
    const int64_t blk = 16, row = ic * kh * kw;
    for (int64_t o0 = 0; o0 < oc; o0 += blk) {
        int64_t o1 = o0 + blk < oc ? o0 + blk : oc;
        for (int64_t y = 0; y < kh; y++)
            for (int64_t x = 0; x < kw; x++)
                for (int64_t c = 0; c < ic; c++) {
                    const float *s = src + (c * kh + y) * kw + x;
                    float *d = dst + ((y * kw + x) * ic + c) * oc;
                    for (int64_t o = o0; o < o1; o++)
                        d[o] = s[o * row];
                }
    }
}

/* Wm[(ky*kw + kx)*IC + c][o] = W[o][c][ky][kx]; depthwise W (OC, 1, kh, kw)
 * is first expanded to a dense (OC, IC, kh, kw) with zeros off the diagonal. */
static finn_tensor *matmul_weights(const conv_params *p, bool dw, finn_error *err)
{
    int64_t ic = p->ifm, oc = p->ofm, kh = p->kh, kw = p->kw;
    int64_t shape[2] = {kh * kw * ic, oc};
    int64_t w_ic = dw ? 1 : ic;
    if (p->w->ndim != 4 || p->w->shape[0] != oc || p->w->shape[1] != w_ic ||
        p->w->shape[2] != kh || p->w->shape[3] != kw) {
        finn_error_set(err, FINN_ERR_INVALID,
                       "LowerConvsToMatMul: weight '%s' does not match the conv shapes",
                       p->weight);
        return NULL;
    }
    bool permute = !dw && p->w->type == FINN_ELEM_FLOAT; /* writes every element */
    finn_tensor *r = permute ? finn_tensor_new_uninit(FINN_ELEM_FLOAT, 2, shape, err)
                             : finn_tensor_new(dw ? FINN_ELEM_FLOAT : p->w->type, 2, shape, err);
    if (!r)
        return NULL;
    if (permute) {
        /* the same element moves as the get/set loop below, without the
         * per-element type dispatch */
        permute_f32(p->w->data, r->data, oc, ic, kh, kw);
        return r;
    }
    for (int64_t o = 0; o < oc; o++)
        for (int64_t c = 0; c < ic; c++)
            for (int64_t y = 0; y < kh; y++)
                for (int64_t x = 0; x < kw; x++) {
                    double v = 0;
                    if (!dw)
                        v = finn_tensor_get(p->w, (size_t)(((o * ic + c) * kh + y) * kw + x));
                    else if (c == o)
                        v = finn_tensor_get(p->w, (size_t)((o * kh + y) * kw + x));
                    finn_tensor_set(r, (size_t)(((y * kw + x) * ic + c) * oc + o), v);
                }
    return r;
}

/* Quant scale (OC, IC, kh, kw) -> (kh*kw*IC, OC) like the weights. */
static int reshape_scale(finn_model *m, const conv_params *p, finn_error *err)
{
    const finn_tensor *s = p->q_scale ? finn_model_initializer(m, p->q_scale) : NULL;
    if (!s || s->ndim == 0)
        return 0;
    if (s->ndim != 4)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "LowerConvsToMatMul: weight scale '%s' is not 4-D", p->q_scale);
    int64_t oc = s->shape[0], ic = s->shape[1], kh = s->shape[2], kw = s->shape[3];
    int64_t shape[2] = {kh * kw * ic, oc};
    finn_tensor *r = finn_tensor_new(s->type, 2, shape, err);
    if (!r)
        return -1;
    if (r->type == FINN_ELEM_FLOAT) {
        permute_f32(s->data, r->data, oc, ic, kh, kw);
        return sl_set_init(m, p->q_scale, r, err);
    }
    for (int64_t o = 0; o < oc; o++)
        for (int64_t c = 0; c < ic; c++)
            for (int64_t y = 0; y < kh; y++)
                for (int64_t x = 0; x < kw; x++)
                    finn_tensor_set(r, (size_t)(((y * kw + x) * ic + c) * oc + o),
                                    finn_tensor_get(s, (size_t)(((o * ic + c) * kh + y) * kw + x)));
    return sl_set_init(m, p->q_scale, r, err);
}

static finn_node *transpose_node(const char *in, const char *out, const int64_t *perm,
                                 finn_error *err)
{
    finn_node *t = sl_node("Transpose", "", "", in, NULL, out, err);
    if (t && finn_node_set_attr_ints(t, "perm", perm, 4, err)) {
        finn_node_free(t);
        return NULL;
    }
    return t;
}

static finn_node *im2col_node(const conv_params *p, bool dw, const char *in, const char *out,
                              finn_error *err)
{
    finn_node *n = sl_node("Im2Col", SL_QONNX_DOMAIN, "", in, NULL, out, err);
    char shape[160];
    snprintf(shape, sizeof shape, "(1,%lld,%lld,%lld)", (long long)p->ih, (long long)p->iw,
             (long long)p->ifm);
    int64_t stride[2] = {p->sh, p->sw}, ks[2] = {p->kh, p->kw};
    /* make_node sorts attributes by name */
    if (n && (finn_node_set_attr_i(n, "depthwise", dw ? 1 : 0, err) ||
              finn_node_set_attr_ints(n, "dilations", p->dil, p->n_dil, err) ||
              finn_node_set_attr_s(n, "input_shape", shape, err) ||
              finn_node_set_attr_ints(n, "kernel_size", ks, 2, err) ||
              finn_node_set_attr_ints(n, "pad_amount", p->pad, p->n_pad, err) ||
              finn_node_set_attr_ints(n, "stride", stride, 2, err))) {
        finn_node_free(n);
        return NULL;
    }
    return n;
}

/* A fresh FLOAT tensor of the given NHWC shape and datatype. */
static char *new_nhwc(finn_model *m, int64_t h, int64_t w, int64_t c, finn_datatype dt,
                      finn_error *err)
{
    int64_t s[4] = {1, h, w, c};
    char *name = sl_new_name(m, err);
    if (name && (finn_model_set_shape(m, name, FINN_ELEM_FLOAT, 4, s, err) ||
                 sl_set_dt(m, name, dt, err))) {
        free(name);
        return NULL;
    }
    return name;
}

static int lower_one(finn_model *m, size_t i, finn_node *n, const conv_params *p,
                     finn_error *err)
{
    static const int64_t to_nhwc[4] = {0, 2, 3, 1}, to_nchw[4] = {0, 3, 1, 2};
    bool dw = p->group == p->ifm && p->ofm == p->ifm;
    if (dw) {
        char buf[128];
        snprintf(buf, sizeof buf, "{'dw': {'kernel_shape': [%lld, %lld]}}", (long long)p->kh,
                 (long long)p->kw);
        if (finn_model_set_annotation(m, p->weight, "tensor_sparsity", buf, err))
            return -1;
    }
    finn_tensor *wm = matmul_weights(p, dw, err);
    int64_t wshape[2] = {wm ? wm->shape[0] : 0, wm ? wm->shape[1] : 0};
    if (!wm || sl_set_init(m, p->weight, wm, err))
        return -1;
    if (strcmp(p->weight, p->w_input) &&
        finn_model_set_shape(m, p->w_input, FINN_ELEM_FLOAT, 2, wshape, err))
        return -1;
    if (reshape_scale(m, p, err))
        return -1;
    finn_datatype idt = finn_model_datatype(m, n->inputs[0]);
    finn_datatype odt = finn_model_datatype(m, n->outputs[0]);
    bool need_im2col = p->kh != 1 || p->kw != 1 || p->sh != 1 || p->sw != 1;
    for (size_t k = 0; k < p->n_pad; k++)
        need_im2col = need_im2col || p->pad[k] != 0;
    char *nhwc = new_nhwc(m, p->ih, p->iw, p->ifm, idt, err);
    char *mm_out = nhwc ? new_nhwc(m, p->oh, p->ow, p->ofm, odt, err) : NULL;
    char *cols = mm_out && need_im2col
                     ? new_nhwc(m, p->oh, p->ow, p->ifm * p->kh * p->kw, idt, err)
                     : NULL;
    int rc = mm_out && (cols || !need_im2col) ? 0 : -1;
    finn_node *nodes[4] = {NULL, NULL, NULL, NULL};
    size_t cnt = 0;
    if (rc == 0) {
        nodes[cnt++] = transpose_node(n->inputs[0], nhwc, to_nhwc, err);
        if (need_im2col)
            nodes[cnt++] = im2col_node(p, dw, nhwc, cols, err);
        nodes[cnt++] = sl_node("MatMul", "", "", need_im2col ? cols : nhwc, p->w_input, mm_out,
                               err);
        nodes[cnt++] = transpose_node(mm_out, n->outputs[0], to_nchw, err);
        for (size_t k = 0; k < cnt; k++)
            rc = rc || !nodes[k];
    }
    for (size_t k = 0; k < cnt; k++) {
        if (rc) {
            finn_node_free(nodes[k]);
        } else if (sl_insert(m, i + 1 + k, nodes[k], err)) {
            for (size_t j = k + 1; j < cnt; j++)
                finn_node_free(nodes[j]);
            rc = -1;
            break;
        }
    }
    free(nhwc);
    free(mm_out);
    free(cols);
    if (rc)
        return -1;
    finn_model_remove_node(m, n);
    return 0;
}

int sl_lower_convs_to_matmul(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err)
{
    *changed = false; /* QONNX reports no change: one pass */
    bool dummy;
    do { /* model.transform(ExtractBiasFromConv()) */
        if (sl_extract_bias_from_conv(reg, m, &dummy, err))
            return -1;
    } while (dummy);
    if (finn_model_cleanup(m, err))
        return -1;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!is_op(n, "Conv") || n->n_inputs == 3)
            continue;
        conv_params p;
        if (conv_params_get(m, n, &p, err))
            return -1;
        if (!p.w)
            continue; /* QONNX warns: weights not constant */
        if (lower_one(m, i, n, &p, err))
            return -1;
    }
    return 0;
}
