/*
 * hwconv_window.c - sliding-window layers to HW: InferConvInpGen,
 * InferStreamingMaxPool, InferPool and InferUpsample (finn-frontend.md 8.3).
 */
#include "hwconv_priv.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFUSE(...) (hc_refuse(refusals, n, err, __VA_ARGS__) ? -1 : 0)

/* Two-element INTS attribute (dflt when absent); false if malformed. */
static bool attr2(const finn_node *n, const char *name, int64_t dflt, int64_t *a, int64_t *b)
{
    const int64_t *v = NULL;
    size_t c = finn_node_attr_ints(n, name, &v);
    if (!v) {
        *a = *b = dflt;
        return true;
    }
    if (c != 2)
        return false;
    *a = v[0];
    *b = v[1];
    return true;
}

/* ---- InferConvInpGen ------------------------------------------------------------------ */

static int cig_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                   finn_error *err)
{
    const char *in = n->inputs[0], *out = n->outputs[0];
    int64_t is[FINN_MAX_DIMS], os[FINN_MAX_DIMS];
    char dts[FINN_DT_NAME_MAX];
    finn_datatype dt = finn_model_datatype(m, in);
    finn_dt_name(dt, dts, sizeof dts);
    if (!finn_dt_is_integer(dt))
        return REFUSE("input '%s' has datatype %s, not an integer type", in, dts);
    if (hc_shape(m, in, is) != 4 || hc_shape(m, out, os) != 4)
        return REFUSE("input '%s' or output '%s' is not a known 4-D NHWC shape", in, out);
    int64_t sh, sw, kh, kw, dh, dw;
    const int64_t *pad = NULL;
    size_t npad = finn_node_attr_ints(n, "pad_amount", &pad);
    if (!attr2(n, "stride", 1, &sh, &sw) || !attr2(n, "kernel_size", 1, &kh, &kw) ||
        !attr2(n, "dilations", 1, &dh, &dw) || (pad && npad != 4))
        return REFUSE("stride, kernel_size, dilations or pad_amount has the wrong length");
    static const int64_t NOPAD[4] = {0, 0, 0, 0};
    if (!pad)
        pad = NOPAD;
    int64_t pad_h = pad[0] + pad[2], pad_w = pad[1] + pad[3];
    int64_t pad_val = finn_node_attr_i(n, "pad_value", 0);
    int64_t depthwise = finn_node_attr_i(n, "depthwise", 0);
    int64_t ch = is[3], ih = is[1], iw = is[2];
    bool padded = pad_h > 0 || pad_w > 0;
    if (padded && pad_val != 0)
        return REFUSE("pad_value %lld unsupported (FMPadding pads with 0)", (long long)pad_val);
    int64_t cih = padded ? ih + pad_h : ih, ciw = padded ? iw + pad_w : iw;
    bool pointwise = kh == 1 && kw == 1, is_1d = ih == 1 || iw == 1;
    bool down = (sh > 1 || sw > 1) && pointwise;
    bool down_2d = !is_1d && cih == ciw && sh == sw;
    if (down && !is_1d && !down_2d)
        return REFUSE("pointwise kernel with stride [%lld, %lld] on a %lldx%lld image: "
                      "DownSampler needs a 1-D or square image with equal strides",
                      (long long)sh, (long long)sw, (long long)cih, (long long)ciw);
    /* rewrite */
    size_t idx = i + 1;
    const char *src = in;
    char *padded_out = NULL;
    if (padded) {
        const int64_t ps[4] = {1, cih, ciw, ch}, img[2] = {ih, iw};
        padded_out = hc_new_tensor(m, 4, ps, &dt, err);
        finn_node *p = padded_out ? hc_hw_node("FMPadding", "FMPadding_Batch_", n->name, err)
                                  : NULL;
        if (!p || hc_io(p, in, NULL, NULL, padded_out, err) ||
            finn_node_set_attr_ints(p, "ImgDim", img, 2, err) ||
            finn_node_set_attr_ints(p, "Padding", pad, 4, err) ||
            finn_node_set_attr_i(p, "NumChannels", ch, err) ||
            finn_node_set_attr_s(p, "inputDataType", dts, err) ||
            finn_node_set_attr_i(p, "SIMD", ch, err)) {
            finn_node_free(p);
            free(padded_out);
            return -1;
        }
        if (hc_insert(m, i + 1, p, err)) { /* frees p */
            free(padded_out);
            return -1;
        }
        idx++;
        src = padded_out;
    }
    finn_node *hw;
    int rc = 0;
    if (down) {
        hw = hc_hw_node("DownSampler", "DownSampler_", n->name, err);
        rc = !hw || hc_io(hw, src, NULL, NULL, out, err) ||
             finn_node_set_attr_i(hw, "ImgDim", cih > ciw ? cih : ciw, err) ||
             finn_node_set_attr_i(hw, "NumChannels", ch, err) ||
             finn_node_set_attr_i(hw, "SIMD", ch, err) ||
             finn_node_set_attr_i(hw, "Stride", sh > sw ? sh : sw, err) ||
             finn_node_set_attr_s(hw, "inputDataType", dts, err) ||
             finn_node_set_attr_i(hw, "is1D", is_1d, err) ||
             finn_node_set_attr_i(hw, "is1D_unitx", iw == 1, err);
    } else {
        const int64_t kd[2] = {kh, kw}, ifm[2] = {cih, ciw}, ofm[2] = {os[1], os[2]},
                      st[2] = {sh, sw}, dl[2] = {dh, dw};
        hw = hc_hw_node("ConvolutionInputGenerator", "ConvolutionInputGenerator_", n->name,
                        err);
        rc = !hw || hc_io(hw, src, NULL, NULL, out, err) ||
             finn_node_set_attr_ints(hw, "ConvKernelDim", kd, 2, err) ||
             finn_node_set_attr_i(hw, "IFMChannels", ch, err) ||
             finn_node_set_attr_ints(hw, "IFMDim", ifm, 2, err) ||
             finn_node_set_attr_ints(hw, "OFMDim", ofm, 2, err) ||
             finn_node_set_attr_i(hw, "SIMD", ch, err) ||
             finn_node_set_attr_ints(hw, "Stride", st, 2, err) ||
             finn_node_set_attr_ints(hw, "Dilation", dl, 2, err) ||
             finn_node_set_attr_s(hw, "inputDataType", dts, err) ||
             finn_node_set_attr_s(hw, "outputDataType", dts, err) ||
             finn_node_set_attr_i(hw, "depthwise", depthwise, err) ||
             finn_node_set_attr_i(hw, "is1D", is_1d, err);
    }
    free(padded_out);
    if (rc) {
        finn_node_free(hw);
        return -1;
    }
    if (hc_insert(m, idx, hw, err))
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

int finn_infer_conv_inp_gen(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                            bool *changed, finn_error *err)
{
    if (hc_each(m, "Im2Col", 1, 1, cig_one, refusals, changed, err))
        return -1;
    return *changed ? hc_finish(reg, m, err) : 0;
}

/* ---- InferStreamingMaxPool ---------------------------------------------------------------- */

static int smp_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                   finn_error *err)
{
    const char *in = n->inputs[0];
    int64_t is[FINN_MAX_DIMS], kh, kw, sh, sw;
    char dts[FINN_DT_NAME_MAX];
    finn_datatype dt = finn_model_datatype(m, in);
    finn_dt_name(dt, dts, sizeof dts);
    if (!attr2(n, "kernel_shape", 1, &kh, &kw) || !attr2(n, "strides", 1, &sh, &sw))
        return REFUSE("kernel_shape or strides is not two values");
    if (kh != sh || kw != sw)
        return REFUSE("stride [%lld, %lld] differs from kernel [%lld, %lld]", (long long)sh,
                      (long long)sw, (long long)kh, (long long)kw);
    if (hc_shape(m, in, is) != 4)
        return REFUSE("input '%s' is not a known 4-D NHWC shape", in);
    int64_t ch = is[3], ih = is[1], iw = is[2];
    bool is_1d = (ih == 1 && kh == 1) || (iw == 1 && kw == 1);
    bool divisible = ih % kh == 0 || iw % kw == 0; /* FINN's OR (quirk 8) */
    bool bipolar = dt.kind == FINN_DT_BIPOLAR;
    if (is_1d && bipolar)
        return REFUSE("1-D max pooling of BIPOLAR input '%s' unsupported", in);
    if (!is_1d && !divisible)
        return REFUSE("image %lldx%lld is not divisible by the kernel %lldx%lld", (long long)ih,
                      (long long)iw, (long long)kh, (long long)kw);
    const int64_t pd[2] = {kh, kw}, img[2] = {ih, iw};
    finn_node *hw = hc_hw_node("StreamingMaxPool", "StreamingMaxPool_", n->name, err);
    if (!hw || hc_io(hw, in, NULL, NULL, n->outputs[0], err) ||
        finn_node_set_attr_ints(hw, "PoolDim", pd, 2, err) ||
        finn_node_set_attr_i(hw, "NumChannels", ch, err) ||
        finn_node_set_attr_ints(hw, "ImgDim", img, 2, err) ||
        finn_node_set_attr_s(hw, "dataType", dts, err) ||
        finn_node_set_attr_i(hw, "PE", 1, err) ||
        finn_node_set_attr_i(hw, "CeilMode", finn_node_attr_i(n, "ceil_mode", 0), err)) {
        finn_node_free(hw);
        return -1;
    }
    if (hc_insert(m, i + 1, hw, err))
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

int finn_infer_streaming_maxpool(const finn_registry *reg, finn_model *m,
                                 finn_hw_refusals *refusals, bool *changed, finn_error *err)
{
    if (hc_each(m, "MaxPoolNHWC", 1, 1, smp_one, refusals, changed, err))
        return -1;
    return *changed ? hc_finish(reg, m, err) : 0;
}

/* ---- InferPool ------------------------------------------------------------------------------ */

/* QuantAvgPool2d's accumulator bits and shift (qonnx quantavgpool2d.py). */
static int64_t qap_accum_bits(const finn_node *n)
{
    int64_t ibits = finn_node_attr_i(n, "ibits", 1), k = finn_node_attr_i(n, "kernel", 1);
    double maxv = (ldexp(1.0, (int)ibits) - 1) * (double)(k * k);
    int64_t bits = 0;
    while (ldexp(1.0, (int)bits) <= maxv)
        bits++;
    return bits;
}

static int pool_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                    finn_error *err)
{
    const char *in = n->inputs[0], *out = n->outputs[0];
    int64_t is[FINN_MAX_DIMS], os[FINN_MAX_DIMS], kh, kw, sh, sw;
    if (hc_shape(m, in, is) != 4)
        return 0; /* only 4-D tensors (FINN skips silently) */
    bool nchw;
    if (!strcmp(n->op_type, "QuantAvgPool2d")) {
        kh = kw = finn_node_attr_i(n, "kernel", 1);
        sh = sw = finn_node_attr_i(n, "stride", 1);
        const char *dl = finn_node_attr_s(n, "data_layout", "NCHW");
        if (strcmp(dl, "NCHW") && strcmp(dl, "NHWC"))
            return REFUSE("unknown data_layout '%s'", dl);
        nchw = !strcmp(dl, "NCHW");
    } else {
        if (!attr2(n, "kernel_shape", 1, &kh, &kw) || !attr2(n, "strides", 1, &sh, &sw))
            return REFUSE("kernel_shape or strides is not two values");
        nchw = !strcmp(n->op_type, "MaxPool");
    }
    const int64_t *pads = NULL;
    size_t npads = finn_node_attr_ints(n, "pads", &pads);
    static const int64_t NOPAD[4] = {0, 0, 0, 0};
    if (!pads)
        pads = NOPAD, npads = 4;
    if (npads != 4)
        return REFUSE("pads must have 4 values");
    finn_datatype idt = finn_model_datatype(m, in), odt = finn_model_datatype(m, out);
    char idts[FINN_DT_NAME_MAX], odts[FINN_DT_NAME_MAX];
    finn_dt_name(idt, idts, sizeof idts);
    if (!finn_dt_is_integer(idt))
        return REFUSE("input '%s' has datatype %s, not an integer type", in, idts);
    if (kh < sh || kw < sw)
        return REFUSE("kernel [%lld, %lld] smaller than stride [%lld, %lld]", (long long)kh,
                      (long long)kw, (long long)sh, (long long)sw);
    if (hc_shape(m, out, os) != 4)
        return REFUSE("output '%s' is not a known 4-D shape", out);
    bool maxpool = strcmp(n->op_type, "QuantAvgPool2d") != 0;
    int64_t accum = 0, size = 0;
    double pad_value = 0;
    if (maxpool) {
        odt = idt;
        pad_value = finn_dt_min(idt);
    } else {
        if (!finn_dt_is_integer(odt))
            return REFUSE("output '%s' of QuantAvgPool2d is not an integer type", out);
        if (pads[0] || pads[1] || pads[2] || pads[3])
            return REFUSE("padding is not supported for QuantAvgPool2d");
        accum = qap_accum_bits(n);
        size = accum - finn_node_attr_i(n, "obits", 1);
        size = size > 0 ? size : 0;
    }
    finn_dt_name(odt, odts, sizeof odts);
    int64_t ich = nchw ? is[1] : is[3], ih = nchw ? is[2] : is[1], iw = nchw ? is[3] : is[2];
    int64_t och = nchw ? os[1] : os[3], oh = nchw ? os[2] : os[1], ow = nchw ? os[3] : os[2];
    /* new tensors: NHWC views around the pool and the Im2Col output */
    const int64_t tin[4] = {1, ih, iw, ich}, tout[4] = {1, oh, ow, och},
                  tcol[4] = {1, oh, ow, ich * kh * kw};
    char *t_in = NULL, *t_out = NULL, *t_col = NULL;
    int rc = 0;
    if (nchw) {
        t_in = hc_new_tensor(m, 4, tin, &idt, err);
        t_out = t_in ? hc_new_tensor(m, 4, tout, NULL, err) : NULL;
        rc = t_out ? 0 : -1;
    }
    if (rc == 0 && !(t_col = hc_new_tensor(m, 4, tcol, &idt, err)))
        rc = -1;
    finn_node *nodes[4] = {NULL, NULL, NULL, NULL};
    size_t nn = 0;
    static const int64_t TO_NHWC[4] = {0, 2, 3, 1}, TO_NCHW[4] = {0, 3, 1, 2};
    if (rc == 0 && nchw) {
        finn_node *t = nodes[nn++] = finn_node_new("Transpose", "", "", err);
        rc = !t || hc_io(t, in, NULL, NULL, t_in, err) ||
             finn_node_set_attr_ints(t, "perm", TO_NHWC, 4, err);
    }
    if (rc == 0) {
        char shape_s[96];
        snprintf(shape_s, sizeof shape_s, "(1,%lld,%lld,%lld)", (long long)ih, (long long)iw,
                 (long long)ich);
        const int64_t st[2] = {sh, sw}, ks[2] = {kh, kw};
        size_t len = strlen(n->name) + 8;
        char *nm = finn_xmalloc(len, err);
        finn_node *c = NULL;
        if (nm) {
            snprintf(nm, len, "Im2Col_%s", n->name);
            c = nodes[nn++] = finn_node_new("Im2Col", HC_QONNX_DOMAIN, nm, err);
            free(nm);
        }
        rc = !c || hc_io(c, nchw ? t_in : in, NULL, NULL, t_col, err) ||
             finn_node_set_attr_ints(c, "stride", st, 2, err) ||
             finn_node_set_attr_ints(c, "kernel_size", ks, 2, err) ||
             finn_node_set_attr_ints(c, "pad_amount", pads, 4, err) ||
             finn_node_set_attr_i(c, "pad_value", (int64_t)pad_value, err) ||
             finn_node_set_attr_i(c, "depthwise", 1, err) ||
             finn_node_set_attr_s(c, "input_shape", shape_s, err);
    }
    if (rc == 0) {
        const int64_t ks[2] = {kh, kw}, od[2] = {oh, ow};
        finn_node *p = nodes[nn++] = hc_hw_node("Pool", "Pool_", n->name, err);
        rc = !p || hc_io(p, t_col, NULL, NULL, nchw ? t_out : out, err) ||
             finn_node_set_attr_s(p, "InputDataType", idts, err) ||
             finn_node_set_attr_s(p, "OutputDataType", odts, err) ||
             finn_node_set_attr_i(p, "Channels", ich, err) ||
             finn_node_set_attr_i(p, "PE", ich, err) ||
             finn_node_set_attr_ints(p, "KernelSize", ks, 2, err) ||
             finn_node_set_attr_s(p, "Function", maxpool ? "MaxPool" : "QuantAvgPool", err) ||
             finn_node_set_attr_ints(p, "OutImgDims", od, 2, err) ||
             finn_node_set_attr_i(p, "AccumBits", accum, err) ||
             finn_node_set_attr_i(p, "Size", size, err) ||
             finn_node_set_attr_i(p, "BatchSize", 1, err);
    }
    if (rc == 0 && nchw) {
        finn_node *t = nodes[nn++] = finn_node_new("Transpose", "", "", err);
        rc = !t || hc_io(t, t_out, NULL, NULL, out, err) ||
             finn_node_set_attr_ints(t, "perm", TO_NCHW, 4, err);
    }
    free(t_in);
    free(t_out);
    free(t_col);
    size_t k = 0;
    for (; rc == 0 && k < nn; k++) {
        rc = hc_insert(m, i + 1 + k, nodes[k], err); /* frees nodes[k] on failure */
        nodes[k] = NULL;
    }
    for (size_t j = 0; j < nn; j++)
        finn_node_free(nodes[j]);
    if (rc)
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

int finn_infer_pool(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                    bool *changed, finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if ((strcmp(n->op_type, "MaxPool") && strcmp(n->op_type, "QuantAvgPool2d") &&
             strcmp(n->op_type, "MaxPoolNHWC")) ||
            n->n_inputs < 1 || n->n_outputs < 1)
            continue;
        int rc = pool_one(m, i, n, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    return *changed ? hc_finish(reg, m, err) : 0;
}

/* ---- InferUpsample ---------------------------------------------------------------------------- */

static int upsample_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                        finn_error *err)
{
    const char *in = n->inputs[0];
    char dts[FINN_DT_NAME_MAX], lb[16];
    hc_dt_name(m, in, dts);
    if (!hc_is_int(m, in))
        return REFUSE("input '%s' has datatype %s, not an integer type", in, dts);
    if (strcmp(hc_layout(m, in, lb), "NHWC"))
        return REFUSE("input '%s' has layout '%s', not NHWC", in, lb);
    const char *mode = finn_node_attr_s(n, "mode", "nearest");
    if (strcmp(mode, "nearest"))
        return REFUSE("mode '%s' unsupported (only nearest)", mode);
    size_t si = strcmp(n->op_type, "Upsample") ? 2 : 1;
    const finn_tensor *sc = n->n_inputs > si ? finn_model_initializer(m, n->inputs[si]) : NULL;
    int64_t is[FINN_MAX_DIMS];
    if (hc_shape(m, in, is) != 4)
        return REFUSE("input '%s' is not 4-D", in);
    if (!sc || sc->ndim != 1 || sc->shape[0] != 4)
        return REFUSE("scales are not a constant of shape (4,)");
    double s[4];
    for (int k = 0; k < 4; k++)
        s[k] = finn_tensor_get(sc, (size_t)k);
    if (s[0] < 1 || s[1] < 1 || s[2] < 1 || s[3] < 1)
        return REFUSE("scales must be >= 1 in every dimension");
    bool square_scale = s[1] == s[2], scale_1d = s[1] > 1 && s[2] == 1;
    if (!square_scale && !scale_1d)
        return REFUSE("only 1-D (H) or square 2-D scaling is supported");
    if (s[0] != 1 || s[3] != 1)
        return REFUSE("scales of N and C must be 1");
    if (!hc_integral(s[1]))
        return REFUSE("scale %g is not an integer", s[1]);
    bool square = is[1] == is[2], one_d = is[1] > 1 && is[2] == 1;
    if (!square && !one_d)
        return REFUSE("input %lldx%lld is neither square nor (H, 1)", (long long)is[1],
                      (long long)is[2]);
    finn_node *hw = hc_hw_node("UpsampleNearestNeighbour", "UpsampleNearestNeighbour_",
                               n->name, err);
    if (!hw || hc_io(hw, in, NULL, NULL, n->outputs[0], err) ||
        finn_node_set_attr_i(hw, "OFMDim", (int64_t)llround((double)is[1] * s[1]), err) ||
        finn_node_set_attr_i(hw, "IFMDim", is[1], err) ||
        finn_node_set_attr_i(hw, "NumChannels", is[3], err) ||
        finn_node_set_attr_s(hw, "inputDataType", dts, err) ||
        finn_node_set_attr_i(hw, "numInputVectors", is[0], err) ||
        finn_node_set_attr_i(hw, "DimMode", square ? 0 : 1, err)) {
        finn_node_free(hw);
        return -1;
    }
    if (hc_insert(m, i + 1, hw, err))
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

/* FINN's rule runs no inference afterwards. */
int finn_infer_upsample(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                        bool *changed, finn_error *err)
{
    (void)reg;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if ((strcmp(n->op_type, "Upsample") && strcmp(n->op_type, "Resize")) ||
            n->n_inputs < 1 || n->n_outputs < 1)
            continue;
        int rc = upsample_one(m, i, n, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    return 0;
}
