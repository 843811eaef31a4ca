/*
 * hwconv_mvau.c - matrix layers to HW: InferBinaryMatrixVectorActivation,
 * InferQuantizedMatrixVectorActivation and InferVectorVectorActivation
 * (finn-frontend.md 8.3).  A MultiThreshold that is the first consumer of
 * the product is fused into the new node.
 */
#include "hwconv_priv.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* What the MultiThreshold after a MatMul contributes. */
typedef struct mt_fuse {
    finn_node *mt;       /* NULL: no activation */
    const char *thres;   /* thresholds tensor */
    const char *out;     /* tensor the HW node writes */
    int64_t actval;
} mt_fuse;

/* Check the MultiThreshold consumer of a MatMul as FINN asserts it;
 * returns 1 when it refused (reason recorded), 0 ok, -1 error. */
static int check_mt(finn_model *m, const finn_node *mm, finn_node *mt, int64_t rows,
                    bool check_scale, bool allow_bipolar, const char *rows_name,
                    finn_hw_refusals *refusals, mt_fuse *f, finn_error *err)
{
    const finn_tensor *t = mt->n_inputs > 1 ? finn_model_initializer(m, mt->inputs[1]) : NULL;
    if (!t || t->ndim < 1)
        return hc_refuse(refusals, mm, err,
                         "thresholds '%s' of the following MultiThreshold '%s' are not a "
                         "constant", mt->n_inputs > 1 ? mt->inputs[1] : "", mt->name) ? -1 : 1;
    if (t->shape[0] != 1 && t->shape[0] != rows)
        return hc_refuse(refusals, mm, err,
                         "MultiThreshold '%s': first dimension of thresholds '%s' is %lld, "
                         "neither 1 nor %s = %lld", mt->name, mt->inputs[1],
                         (long long)t->shape[0], rows_name, (long long)rows) ? -1 : 1;
    finn_datatype odt = finn_model_datatype(m, mt->outputs[0]);
    f->mt = mt;
    f->thres = mt->inputs[1];
    f->out = mt->outputs[0];
    if (!check_scale) { /* binary MVAU: 1-bit outputs need no bias */
        f->actval = finn_dt_bitwidth(odt) == 1 ? 0 : (int64_t)finn_dt_min(odt);
        return 0;
    }
    double scale = finn_node_attr_f(mt, "out_scale", 1.0f);
    double bias = finn_node_attr_f(mt, "out_bias", 0.0f);
    char b[FINN_DT_NAME_MAX];
    if (!hc_integral(bias))
        return hc_refuse(refusals, mm, err,
                         "MultiThreshold '%s': out_bias %g is not an integer", mt->name,
                         bias) ? -1 : 1;
    bool bipolar_ok = allow_bipolar && odt.kind == FINN_DT_BIPOLAR && scale == 2.0 &&
                      bias == -1.0;
    if (scale != 1.0 && !bipolar_ok)
        return hc_refuse(refusals, mm, err,
                         "MultiThreshold '%s': out_scale %g unsupported (must be 1%s)",
                         mt->name, scale, allow_bipolar ? ", or 2 with out_bias -1 for a "
                         "BIPOLAR output" : "") ? -1 : 1;
    if (finn_dt_signed(odt) && !(bias < 0))
        return hc_refuse(refusals, mm, err,
                         "MultiThreshold '%s': signed output %s needs out_bias < 0, got %g",
                         mt->name, finn_dt_name(odt, b, sizeof b), bias) ? -1 : 1;
    f->actval = bipolar_ok ? 0 : (int64_t)bias;
    return 0;
}

static int mvau_attrs(finn_node *n, int64_t mw, int64_t mh, const char *idt, const char *wdt,
                      const char *odt, int64_t actval, int binary, int noact,
                      const int64_t *in_shape, int in_nd, finn_error *err)
{
    return finn_node_set_attr_i(n, "MW", mw, err) || finn_node_set_attr_i(n, "MH", mh, err) ||
           finn_node_set_attr_i(n, "SIMD", 1, err) || finn_node_set_attr_i(n, "PE", 1, err) ||
           finn_node_set_attr_s(n, "inputDataType", idt, err) ||
           finn_node_set_attr_s(n, "weightDataType", wdt, err) ||
           finn_node_set_attr_s(n, "outputDataType", odt, err) ||
           finn_node_set_attr_i(n, "ActVal", actval, err) ||
           finn_node_set_attr_i(n, "binaryXnorMode", binary, err) ||
           finn_node_set_attr_i(n, "noActivation", noact, err) ||
           hc_set_vecs(n, "numInputVectors", in_shape, in_nd - 1, err)
               ? -1
               : 0;
}

/* One MatMul-like node to MVAU; returns 1 converted, 0 refused, -1 error. */
static int mvau_one(finn_model *m, size_t i, finn_node *n, bool binary,
                    finn_hw_refusals *refusals, finn_error *err)
{
    const char *in = n->inputs[0], *w = n->inputs[1];
    char idt[FINN_DT_NAME_MAX], wdt[FINN_DT_NAME_MAX], odt[FINN_DT_NAME_MAX];
    hc_dt_name(m, in, idt);
    hc_dt_name(m, w, wdt);
    if (binary) {
        if (finn_model_datatype(m, in).kind != FINN_DT_BINARY)
            return hc_refuse(refusals, n, err, "input '%s' has datatype %s, not BINARY", in,
                             idt) ? -1 : 0;
        if (finn_model_datatype(m, w).kind != FINN_DT_BINARY)
            return hc_refuse(refusals, n, err, "weights '%s' have datatype %s, not BINARY", w,
                             wdt) ? -1 : 0;
    } else {
        if (!hc_is_int(m, in))
            return hc_refuse(refusals, n, err,
                             "input '%s' has datatype %s, not an integer type", in, idt) ? -1
                                                                                         : 0;
        if (!hc_is_int(m, w))
            return hc_refuse(refusals, n, err,
                             "weights '%s' have datatype %s, not an integer type", w, wdt)
                       ? -1
                       : 0;
    }
    const finn_tensor *W = finn_model_initializer(m, w);
    if (!W || W->ndim != 2)
        return hc_refuse(refusals, n, err, "weights '%s' are not a constant 2-D matrix", w)
                   ? -1
                   : 0;
    int64_t in_shape[FINN_MAX_DIMS];
    int in_nd = hc_shape(m, in, in_shape);
    if (in_nd < 1)
        return hc_refuse(refusals, n, err, "input '%s' has an unknown shape", in) ? -1 : 0;
    int64_t mw = W->shape[0], mh = W->shape[1];
    mt_fuse f = {NULL, NULL, n->outputs[0], 0};
    finn_node *c = hc_find_consumer(m, n->outputs[0]);
    if (c && !strcmp(c->op_type, "MultiThreshold")) {
        int rc = check_mt(m, n, c, mh, !binary, true, "MH", refusals, &f, err);
        if (rc)
            return rc < 0 ? -1 : 0;
    }
    hc_dt_name(m, f.out, odt);
    finn_node *hw = hc_hw_node("MVAU", binary ? "" : "MVAU_", n->name, err);
    if (!hw || hc_io(hw, in, w, f.thres, f.out, err) ||
        mvau_attrs(hw, mw, mh, binary ? "BINARY" : idt, binary ? "BINARY" : wdt, odt,
                   f.mt ? f.actval : 0, binary, f.mt ? 0 : 1, in_shape, in_nd, err)) {
        finn_node_free(hw);
        return -1;
    }
    if (hc_insert(m, i + 1, hw, err))
        return -1;
    finn_model_remove_node(m, n);
    if (f.mt)
        finn_model_remove_node(m, f.mt);
    return 1;
}

static int mvau_pass(const finn_registry *reg, finn_model *m, bool binary,
                     finn_hw_refusals *refusals, bool *changed, finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (binary ? strcmp(n->op_type, "XnorPopcountMatMul") : strcmp(n->op_type, "MatMul"))
            continue;
        if (n->n_inputs < 2 || n->n_outputs < 1)
            continue;
        if (!binary && finn_model_annotation(m, n->inputs[1], "tensor_sparsity"))
            continue; /* a lowered depthwise conv: InferVectorVectorActivation */
        int rc = mvau_one(m, i, n, binary, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    return *changed ? hc_finish(reg, m, err) : 0;
}

int finn_infer_binary_matrix_vector_activation(const finn_registry *reg, finn_model *m,
                                               finn_hw_refusals *refusals, bool *changed,
                                               finn_error *err)
{
    return mvau_pass(reg, m, true, refusals, changed, err);
}

int finn_infer_quantized_matrix_vector_activation(const finn_registry *reg, finn_model *m,
                                                  finn_hw_refusals *refusals, bool *changed,
                                                  finn_error *err)
{
    return mvau_pass(reg, m, false, refusals, changed, err);
}

/* ---- VVAU ------------------------------------------------------------------------- */

/* kernel_shape of a "{'dw': {'kernel_shape': [kh, kw]}}" sparsity annotation. */
static bool dw_kernel(const char *sp, int64_t *kh, int64_t *kw)
{
    const char *dw = sp ? strstr(sp, "'dw'") : NULL;
    const char *ks = dw ? strstr(dw, "kernel_shape") : NULL;
    const char *br = ks ? strchr(ks, '[') : NULL;
    long long a, b;
    if (!br || sscanf(br, "[%lld ,%lld", &a, &b) != 2 || a < 1 || b < 1)
        return false;
    *kh = a;
    *kw = b;
    return true;
}

/* Sparse (kh*kw*C, C) depthwise matrix back to the dense (C, 1, kh, kw)
 * kernel: w[c][0][y][x] = W[(y*kw + x)*C + c][c]. */
static finn_tensor *dense_dw_weights(const finn_tensor *W, int64_t kh, int64_t kw,
                                     finn_error *err)
{
    int64_t ch = W->shape[1];
    const int64_t shape[4] = {ch, 1, kh, kw};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 4, shape, err);
    if (!t)
        return NULL;
    for (int64_t c = 0; c < ch; c++)
        for (int64_t k = 0; k < kh * kw; k++)
            finn_tensor_set(t, (size_t)(c * kh * kw + k),
                            finn_tensor_get(W, (size_t)((k * ch + c) * ch + c)));
    return t;
}

static int vvau_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                    finn_error *err)
{
    const char *in = n->inputs[0], *w = n->inputs[1];
    int64_t kh, kw;
    if (!dw_kernel(finn_model_annotation(m, w, "tensor_sparsity"), &kh, &kw))
        return hc_refuse(refusals, n, err,
                         "sparsity annotation of '%s' does not mark a depthwise convolution "
                         "(no 'dw' kernel_shape)", w) ? -1 : 0;
    char idt[FINN_DT_NAME_MAX], wdt[FINN_DT_NAME_MAX], odt[FINN_DT_NAME_MAX];
    hc_dt_name(m, in, idt);
    hc_dt_name(m, w, wdt);
    if (!hc_is_int(m, in) || !hc_is_int(m, w))
        return hc_refuse(refusals, n, err, "%s '%s' has datatype %s, not an integer type",
                         hc_is_int(m, in) ? "weight" : "input", hc_is_int(m, in) ? w : in,
                         hc_is_int(m, in) ? wdt : idt) ? -1 : 0;
    const finn_tensor *W = finn_model_initializer(m, w);
    int64_t in_shape[FINN_MAX_DIMS];
    int in_nd = hc_shape(m, in, in_shape);
    if (!W || W->ndim != 2 || W->shape[0] != kh * kw * W->shape[1])
        return hc_refuse(refusals, n, err,
                         "weights '%s' are not a constant (kh*kw*C, C) depthwise matrix", w)
                   ? -1
                   : 0;
    if (in_nd != 4)
        return hc_refuse(refusals, n, err, "input '%s' is not 4-D (N, H, W, K*C)", in) ? -1
                                                                                      : 0;
    int64_t ch = W->shape[1];
    mt_fuse f = {NULL, NULL, n->outputs[0], 0};
    finn_node *c = hc_find_consumer(m, n->outputs[0]);
    if (c && !strcmp(c->op_type, "MultiThreshold")) {
        int rc = check_mt(m, n, c, ch, true, false, "Channels", refusals, &f, err);
        if (rc)
            return rc < 0 ? -1 : 0;
    }
    finn_tensor *dense = dense_dw_weights(W, kh, kw, err);
    if (!dense || finn_model_set_initializer(m, w, dense, err))
        return -1;
    hc_dt_name(m, f.out, odt);
    const int64_t dim[2] = {in_shape[1], in_shape[2]}, kern[2] = {kh, kw};
    finn_node *hw = hc_hw_node("VVAU", "VVAU_", n->name, err);
    if (!hw || hc_io(hw, in, w, f.thres, f.out, err) ||
        finn_node_set_attr_i(hw, "PE", ch, err) ||
        finn_node_set_attr_ints(hw, "Dim", dim, 2, err) ||
        finn_node_set_attr_i(hw, "Channels", ch, err) ||
        finn_node_set_attr_ints(hw, "Kernel", kern, 2, err) ||
        finn_node_set_attr_s(hw, "inputDataType", idt, err) ||
        finn_node_set_attr_s(hw, "weightDataType", wdt, err) ||
        finn_node_set_attr_s(hw, "outputDataType", odt, err) ||
        finn_node_set_attr_i(hw, "ActVal", f.mt ? f.actval : 0, err) ||
        finn_node_set_attr_i(hw, "noActivation", f.mt ? 0 : 1, err)) {
        finn_node_free(hw);
        return -1;
    }
    if (hc_insert(m, i + 1, hw, err))
        return -1;
    finn_model_remove_node(m, n);
    if (f.mt)
        finn_model_remove_node(m, f.mt);
    return 1;
}

int finn_infer_vector_vector_activation(const finn_registry *reg, finn_model *m,
                                        finn_hw_refusals *refusals, bool *changed,
                                        finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->op_type, "MatMul") || n->n_inputs < 2 ||
            !finn_model_annotation(m, n->inputs[1], "tensor_sparsity"))
            continue;
        int rc = vvau_one(m, i, n, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    return *changed ? hc_finish(reg, m, err) : 0;
}
