/*
 * hwconv_thres.c - per-channel layers to HW: InferThresholdingLayer,
 * InferChannelwiseLinearLayer and InferLabelSelectLayer
 * (finn-frontend.md 8.3).
 */
#include "hwconv_priv.h"
#include "util.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFUSE(...) (hc_refuse(refusals, n, err, __VA_ARGS__) ? -1 : 0)

/* ---- Thresholding ------------------------------------------------------------------ */

static int thres_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                     finn_error *err)
{
    const char *in = n->inputs[0], *th = n->inputs[1];
    char idt[FINN_DT_NAME_MAX], tdt[FINN_DT_NAME_MAX], odt_s[FINN_DT_NAME_MAX], lb[16];
    hc_dt_name(m, in, idt);
    hc_dt_name(m, th, tdt);
    if (!hc_is_int(m, in))
        return REFUSE("input '%s' has datatype %s, not an integer type", in, idt);
    if (!hc_is_int(m, th))
        return REFUSE("thresholds '%s' have datatype %s, not an integer type (run "
                      "RoundAndClipThresholds)", th, tdt);
    int64_t in_shape[FINN_MAX_DIMS], t_shape[FINN_MAX_DIMS];
    int in_nd = hc_shape(m, in, in_shape);
    if (in_nd < 1 || hc_shape(m, th, t_shape) != 2)
        return REFUSE("input '%s' or thresholds '%s' have an unknown shape", in, th);
    double scale = finn_node_attr_f(n, "out_scale", 1.0f);
    double bias = finn_node_attr_f(n, "out_bias", 0.0f);
    finn_datatype odt = finn_model_datatype(m, n->outputs[0]);
    finn_dt_name(odt, odt_s, sizeof odt_s);
    if (scale != 1.0)
        return REFUSE("out_scale %g unsupported (must be 1)", scale);
    if (!hc_integral(bias))
        return REFUSE("out_bias %g is not an integer", bias);
    if (odt.kind != FINN_DT_BIPOLAR && finn_dt_signed(odt) && !(bias < 0))
        return REFUSE("signed output %s needs out_bias < 0, got %g", odt_s, bias);
    bool nchw_in = !strcmp(hc_layout(m, in, lb), "NCHW");
    bool nchw_out = !strcmp(hc_layout(m, n->outputs[0], lb), "NCHW");
    if ((nchw_in && in_nd != 4) || (nchw_out && hc_shape(m, n->outputs[0], t_shape + 2) != 4))
        return REFUSE("NCHW tensor of '%s' is not 4-D", n->name);
    hc_shape(m, th, t_shape);
    /* all checks done: from here on the graph changes */
    size_t node_ind = i + 1;
    char *x = NULL, *y = NULL;
    int rc = 0;
    if (nchw_in) {
        rc = finn_nchw_to_nhwc(m, in, node_ind++, false, &x, err);
        if (rc == 0)
            in_nd = hc_shape(m, x, in_shape);
    }
    size_t insert_point = node_ind;
    if (rc == 0 && nchw_out)
        rc = finn_nchw_to_nhwc(m, n->outputs[0], node_ind++, true, &y, err);
    finn_node *hw = NULL;
    if (rc == 0) {
        hw = hc_hw_node("Thresholding", "Thresholding_", n->name, err);
        if (!hw || hc_io(hw, x ? x : in, th, NULL, y ? y : n->outputs[0], err) ||
            finn_node_set_attr_i(hw, "NumChannels", in_shape[in_nd - 1], err) ||
            finn_node_set_attr_i(hw, "PE", 1, err) ||
            finn_node_set_attr_i(hw, "numSteps", t_shape[1], err) ||
            finn_node_set_attr_s(hw, "inputDataType", idt, err) ||
            finn_node_set_attr_s(hw, "weightDataType", tdt, err) ||
            finn_node_set_attr_s(hw, "outputDataType", odt_s, err) ||
            hc_set_vecs(hw, "numInputVectors", in_shape, in_nd - 1, err) ||
            finn_node_set_attr_i(hw, "ActVal", (int64_t)bias, err)) {
            finn_node_free(hw);
            rc = -1;
        } else {
            rc = hc_insert(m, insert_point, hw, err);
        }
    }
    free(x);
    free(y);
    if (rc)
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

/* No InferShapes/InferDataTypes afterwards: FINN's rule does not run them. */
int finn_infer_thresholding_layer(const finn_registry *reg, finn_model *m,
                                  finn_hw_refusals *refusals, bool *changed, finn_error *err)
{
    (void)reg;
    return hc_each(m, "MultiThreshold", 2, 1, thres_one, refusals, changed, err);
}

/* ---- ChannelwiseOp -------------------------------------------------------------------- */

/* The rule's own get_smallest_possible: the accumulator candidates
 * (BINARY, UINT2..64, INT1..64) without BIPOLAR/TERNARY; UINT64/INT64 when
 * nothing fits. */
static finn_datatype smallest_acc(double lo, double hi)
{
    for (int b = 1; b <= 64; b++)
        if (lo >= 0 && hi <= ldexp(1.0, b) - 1)
            return finn_dt_uint(b);
    for (int b = 1; b <= 64; b++)
        if (lo >= -ldexp(1.0, b - 1) && hi <= ldexp(1.0, b - 1) - 1)
            return finn_dt_int(b);
    return lo >= 0 ? finn_dt_uint(64) : finn_dt_int(64);
}

static int chanwise_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                        finn_error *err)
{
    const char *in = n->inputs[0], *cn = n->inputs[1];
    const finn_tensor *c = finn_model_initializer(m, cn);
    int64_t in_shape[FINN_MAX_DIMS];
    int in_nd = hc_shape(m, in, in_shape);
    char lb[16], idt_s[FINN_DT_NAME_MAX], pdt_s[FINN_DT_NAME_MAX], odt_s[FINN_DT_NAME_MAX];
    char lay[16];
    snprintf(lay, sizeof lay, "%s", hc_layout(m, in, lb));
    int ch_index;
    if (in_nd >= 1 && (!strcmp(lay, "NHWC") || !strcmp(lay, "NC")))
        ch_index = in_nd - 1;
    else if (in_nd == 4 && !strcmp(lay, "NCHW"))
        ch_index = 1;
    else
        return REFUSE("input '%s' has layout '%s', not NHWC, NC or NCHW", in, lay);
    int64_t ch = in_shape[ch_index];
    size_t numel = finn_tensor_numel(c);
    /* FINN indexes the constant's shape with the channel index of the input */
    int c_axis = ch_index == in_nd - 1 ? c->ndim - 1 : ch_index;
    if (numel != 1 && ((int64_t)numel != ch || c_axis < 0 || c_axis >= c->ndim ||
                       c->shape[c_axis] != ch))
        return REFUSE("constant '%s' is neither one value nor %lld values along the channel "
                      "axis", cn, (long long)ch);
    double pmin = 0, pmax = 0;
    for (size_t k = 0; k < numel; k++) {
        double v = finn_tensor_get(c, k);
        if (!hc_integral(v) || fabs(v) > 2147483647.0)
            return REFUSE("constant '%s' holds %g, not an integer", cn, v);
        pmin = k == 0 || v < pmin ? v : pmin;
        pmax = k == 0 || v > pmax ? v : pmax;
    }
    finn_datatype idt = finn_model_datatype(m, in);
    finn_dt_name(idt, idt_s, sizeof idt_s);
    if (!finn_dt_is_integer(idt))
        return REFUSE("input '%s' has datatype %s, not an integer type", in, idt_s);
    bool add = !strcmp(n->op_type, "Add");
    finn_datatype pdt = smallest_acc(pmin, pmax), odt;
    if (add) {
        odt = smallest_acc(finn_dt_min(idt) + pmin, finn_dt_max(idt) + pmax);
    } else {
        double l[4] = {finn_dt_min(idt) * pmin, finn_dt_min(idt) * pmax,
                       finn_dt_max(idt) * pmin, finn_dt_max(idt) * pmax};
        double lo = l[0], hi = l[0];
        for (int k = 1; k < 4; k++) {
            lo = l[k] < lo ? l[k] : lo;
            hi = l[k] > hi ? l[k] : hi;
        }
        odt = smallest_acc(lo, hi);
    }
    finn_dt_name(pdt, pdt_s, sizeof pdt_s);
    finn_dt_name(odt, odt_s, sizeof odt_s);
    /* all checks done: rewrite */
    size_t node_ind = i + 1;
    char *x = NULL, *y = NULL;
    int rc = 0;
    if (!strcmp(lay, "NCHW")) {
        rc = finn_nchw_to_nhwc(m, in, node_ind++, false, &x, err);
        if (rc == 0)
            in_nd = hc_shape(m, x, in_shape);
    }
    size_t insert_point = node_ind;
    if (rc == 0 && !strcmp(hc_layout(m, n->outputs[0], lb), "NCHW"))
        rc = finn_nchw_to_nhwc(m, n->outputs[0], node_ind++, true, &y, err);
    if (rc == 0) { /* the constant becomes (C,); a single value is broadcast */
        const int64_t cs[1] = {ch};
        finn_tensor *nc = finn_tensor_new(c->type, 1, cs, err);
        for (int64_t k = 0; nc && k < ch; k++)
            finn_tensor_set(nc, (size_t)k, finn_tensor_get(c, numel == 1 ? 0 : (size_t)k));
        if (!nc || finn_model_set_initializer(m, cn, nc, err))
            rc = -1;
    }
    if (rc == 0 && finn_model_set_datatype(m, y ? y : n->outputs[0], odt, err))
        rc = -1;
    if (rc == 0) {
        finn_node *hw = hc_hw_node("ChannelwiseOp", "ChannelwiseOp_", n->name, err);
        if (!hw || hc_io(hw, x ? x : in, cn, NULL, y ? y : n->outputs[0], err) ||
            finn_node_set_attr_s(hw, "Func", add ? "add" : "mul", err) ||
            finn_node_set_attr_i(hw, "NumChannels", ch, err) ||
            finn_node_set_attr_i(hw, "PE", 1, err) ||
            finn_node_set_attr_s(hw, "inputDataType", idt_s, err) ||
            finn_node_set_attr_s(hw, "paramDataType", pdt_s, err) ||
            finn_node_set_attr_s(hw, "outputDataType", odt_s, err) ||
            hc_set_vecs(hw, "numInputVectors", in_shape, in_nd - 1, err)) {
            finn_node_free(hw);
            rc = -1;
        } else {
            rc = hc_insert(m, insert_point, hw, err);
        }
    }
    free(x);
    free(y);
    if (rc)
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

int finn_infer_channelwise_linear_layer(const finn_registry *reg, finn_model *m,
                                        finn_hw_refusals *refusals, bool *changed,
                                        finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if ((strcmp(n->op_type, "Add") && strcmp(n->op_type, "Mul")) || n->n_inputs < 2 ||
            !hc_has_init(m, n->inputs[1]))
            continue; /* input 1 dynamic: not a channelwise op */
        int rc = chanwise_one(m, i, n, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    return *changed ? hc_finish(reg, m, err) : 0;
}

/* ---- LabelSelect ------------------------------------------------------------------------ */

static int label_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                     finn_error *err)
{
    const char *in = n->inputs[0];
    char idt[FINN_DT_NAME_MAX];
    hc_dt_name(m, in, idt);
    if (!hc_is_int(m, in))
        return REFUSE("input '%s' has datatype %s, not an integer type", in, idt);
    if (hc_find_consumer(m, n->outputs[0]))
        return REFUSE("values output '%s' is used (only the indices can be computed)",
                      n->outputs[0]);
    int64_t in_shape[FINN_MAX_DIMS];
    int in_nd = hc_shape(m, in, in_shape);
    const finn_tensor *k = n->n_inputs > 1 && n->inputs[1][0]
                               ? finn_model_initializer(m, n->inputs[1]) : NULL;
    if (in_nd < 1)
        return REFUSE("input '%s' has an unknown shape", in);
    if (!k || finn_tensor_numel(k) < 1)
        return REFUSE("K input is not a constant");
    finn_node *hw = hc_hw_node("LabelSelect", "LabelSelect_", n->name, err);
    if (!hw || hc_io(hw, in, NULL, NULL, n->outputs[1], err) ||
        finn_node_set_attr_i(hw, "Labels", in_shape[in_nd - 1], err) ||
        finn_node_set_attr_i(hw, "PE", 1, err) ||
        finn_node_set_attr_i(hw, "K", (int64_t)finn_tensor_get(k, 0), err) ||
        finn_node_set_attr_s(hw, "inputDataType", idt, err) ||
        hc_set_vecs(hw, "numInputVectors", in_shape, in_nd - 1, err)) {
        finn_node_free(hw);
        return -1;
    }
    if (hc_insert(m, i + 1, hw, err))
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

int finn_infer_label_select_layer(const finn_registry *reg, finn_model *m,
                                  finn_hw_refusals *refusals, bool *changed, finn_error *err)
{
    if (hc_each(m, "TopK", 2, 2, label_one, refusals, changed, err))
        return -1;
    return *changed ? hc_finish(reg, m, err) : 0;
}
