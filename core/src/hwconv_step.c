/*
 * hwconv_step.c - the rewrites step_convert_to_hw needs besides the Infer*
 * rules (RemoveCNVtoFCFlatten, AbsorbConsecutiveTransposes), the
 * transform-until-fixed-point driver, the rule table and FINN's
 * step_convert_to_hw sequence (finn-frontend.md 8.1).
 */
#include "hwconv_priv.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* A runaway rule is an error, not a hang. */
#define HC_MAX_PASSES 10000

int finn_hw_transform(const finn_registry *reg, finn_model *m, finn_hw_rule_fn rule,
                      finn_hw_refusals *refusals, finn_error *err)
{
    for (int pass = 0;; pass++) {
        bool changed = false;
        if (rule(reg, m, refusals, &changed, err))
            return -1;
        if (!changed)
            break;
        if (pass >= HC_MAX_PASSES)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "rewrite still changing the graph after %d passes",
                                  HC_MAX_PASSES);
    }
    return finn_model_cleanup(m, err);
}

/* FINN's _is_fpgadataflow_node: a finn domain and backend="fpgadataflow". */
static bool is_dataflow(const finn_node *n)
{
    return n && !strncmp(n->domain, FINN_HW_DOMAIN, strlen(FINN_HW_DOMAIN)) &&
           !strcmp(finn_node_attr_s(n, "backend", ""), "fpgadataflow");
}

static bool perm_is(const finn_node *n, const int64_t *p, size_t len)
{
    const int64_t *v = NULL;
    size_t c = finn_node_attr_ints(n, "perm", &v);
    return v && c == len && !memcmp(v, p, len * sizeof *p);
}

/* MVAU weights that read NCHW-flattened data, reordered for NHWC data:
 * W'[(y*w + x)*c + ch][o] = W[ch*h*w + y*w + x][o]. */
static int reorder_weights(finn_model *m, const char *wname, int64_t h, int64_t w, int64_t c,
                           finn_error *err)
{
    const finn_tensor *W = finn_model_initializer(m, wname);
    if (!W || W->ndim != 2 || W->shape[0] != h * w * c)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "RemoveCNVtoFCFlatten: weights '%s' are not a (%lld, MH) matrix",
                              wname, (long long)(h * w * c));
    int64_t mh = W->shape[1];
    finn_tensor *nw = finn_tensor_new_uninit(W->type, W->ndim, W->shape, err);
    if (!nw)
        return -1;
    /* each (y, x, ch) moves one whole row of MH weights */
    size_t row = (size_t)mh * finn_elem_size(W->type);
    const char *src = W->data;
    char *dst = nw->data;
    for (int64_t y = 0; y < h; y++)
        for (int64_t x = 0; x < w; x++)
            for (int64_t ch = 0; ch < c; ch++)
                memcpy(dst + (size_t)((y * w + x) * c + ch) * row,
                       src + (size_t)(ch * h * w + y * w + x) * row, row);
    return finn_model_set_initializer(m, wname, nw, err);
}

int finn_remove_cnv_to_fc_flatten(const finn_registry *reg, finn_model *m,
                                  finn_hw_refusals *refusals, bool *changed, finn_error *err)
{
    (void)reg;
    static const int64_t TO_NCHW[4] = {0, 3, 1, 2};
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if ((strcmp(n->op_type, "Flatten") && strcmp(n->op_type, "Reshape")) ||
            n->n_inputs < 1 || n->n_outputs < 1)
            continue;
        int64_t is[FINN_MAX_DIMS], os[FINN_MAX_DIMS];
        int ind = hc_shape(m, n->inputs[0], is), ond = hc_shape(m, n->outputs[0], os);
        if (ind < 1 || ond != 2 || is[0] != os[0])
            continue;
        finn_node *prod = finn_model_producer(m, n->inputs[0]);
        finn_node *cons = hc_find_consumer(m, n->outputs[0]);
        if (!prod)
            continue; /* FINN crashes on a flatten fed by a graph input */
        if (is_dataflow(prod)) {
            if (!is_dataflow(cons))
                continue;
            if (finn_node_set_input(cons, 0, n->inputs[0], err))
                return -1;
            finn_model_remove_node(m, n);
            *changed = true;
            continue;
        }
        if (strcmp(prod->op_type, "Transpose"))
            continue;
        if (!perm_is(prod, TO_NCHW, 4)) {
            if (hc_refuse(refusals, n, err, "Transpose '%s' in front is not (0, 3, 1, 2)",
                          prod->name))
                return -1;
            continue;
        }
        if (!is_dataflow(finn_model_producer(m, prod->inputs[0])))
            continue;
        if (!cons || strncmp(cons->op_type, "MVAU", 4) || cons->n_inputs < 2) {
            if (hc_refuse(refusals, n, err,
                          "cannot absorb Transpose '%s' and this node into the next node "
                          "(not an MVAU)", prod->name))
                return -1;
            continue;
        }
        int64_t ts[FINN_MAX_DIMS];
        if (hc_shape(m, prod->inputs[0], ts) != 4)
            continue;
        if (reorder_weights(m, cons->inputs[1], ts[1], ts[2], ts[3], err) ||
            finn_node_set_input(cons, 0, prod->inputs[0], err))
            return -1;
        finn_model_remove_node(m, n);
        finn_model_remove_node(m, prod);
        *changed = true;
    }
    return 0;
}

/* perm2 undoes perm1 */
static bool inverse_perm(const finn_attr *a, const finn_attr *b)
{
    if (!a || !b || a->n != b->n)
        return false;
    for (size_t k = 0; k < b->n; k++)
        if (b->ints[k] < 0 || (size_t)b->ints[k] >= a->n || a->ints[b->ints[k]] != (int64_t)k)
            return false;
    return true;
}

int finn_absorb_consecutive_transposes(const finn_registry *reg, finn_model *m,
                                       finn_hw_refusals *refusals, bool *changed,
                                       finn_error *err)
{
    (void)refusals;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *t = m->nodes[i];
        if (strcmp(t->op_type, "Transpose") || t->n_outputs < 1 || t->n_inputs < 1)
            continue;
        /* a removal below shifts the list: the next pass sees what this skips */
        const finn_attr *p1 = finn_node_attr(t, "perm");
        size_t nc = finn_model_consumers(m, t->outputs[0], NULL, 0);
        if (!p1 || nc == 0 || finn_model_is_output(m, t->outputs[0]))
            continue;
        finn_node **next = finn_xcalloc(nc, sizeof *next, err);
        if (!next)
            return -1;
        finn_model_consumers(m, t->outputs[0], next, nc);
        bool all = true;
        for (size_t k = 0; k < nc && all; k++)
            all = !strcmp(next[k]->op_type, "Transpose") &&
                  inverse_perm(p1, finn_node_attr(next[k], "perm")) &&
                  !finn_model_is_output(m, next[k]->outputs[0]);
        int rc = 0;
        /* readers of each inverse's output read t's input instead */
        for (size_t k = 0; k < nc && all && rc == 0; k++) {
            const char *out = next[k]->outputs[0];
            for (size_t j = 0; j < m->n_nodes && rc == 0; j++)
                for (size_t s = 0; s < m->nodes[j]->n_inputs && rc == 0; s++)
                    if (!strcmp(m->nodes[j]->inputs[s], out))
                        rc = finn_node_set_input(m->nodes[j], s, t->inputs[0], err);
        }
        if (all && rc == 0) {
            for (size_t k = 0; k < nc; k++)
                finn_model_remove_node(m, next[k]);
            finn_model_remove_node(m, t);
            *changed = true;
        }
        free(next);
        if (rc)
            return -1;
    }
    return *changed ? finn_infer_datatypes(reg, m, err) : 0;
}

/* ---- rule table --------------------------------------------------------------------- */

static const struct {
    const char *name;
    finn_hw_rule_fn fn;
} RULES[] = {
    {"InferBinaryMatrixVectorActivation", finn_infer_binary_matrix_vector_activation},
    {"InferQuantizedMatrixVectorActivation", finn_infer_quantized_matrix_vector_activation},
    {"InferVectorVectorActivation", finn_infer_vector_vector_activation},
    {"InferThresholdingLayer", finn_infer_thresholding_layer},
    {"InferChannelwiseLinearLayer", finn_infer_channelwise_linear_layer},
    {"InferLabelSelectLayer", finn_infer_label_select_layer},
    {"InferConvInpGen", finn_infer_conv_inp_gen},
    {"InferStreamingMaxPool", finn_infer_streaming_maxpool},
    {"InferPool", finn_infer_pool},
    {"InferUpsample", finn_infer_upsample},
    {"InferAddStreamsLayer", finn_infer_add_streams_layer},
    {"InferDuplicateStreamsLayer", finn_infer_duplicate_streams_layer},
    {"InferGlobalAccPoolLayer", finn_infer_global_acc_pool_layer},
    {"InferConcatLayer", finn_infer_concat_layer},
    {"InferStreamingEltwise", finn_infer_streaming_eltwise},
    {"InferLookupLayer", finn_infer_lookup_layer},
    {"RemoveCNVtoFCFlatten", finn_remove_cnv_to_fc_flatten},
    {"AbsorbConsecutiveTransposes", finn_absorb_consecutive_transposes},
};

finn_hw_rule_fn finn_hw_rule_find(const char *name)
{
    for (size_t i = 0; i < sizeof RULES / sizeof RULES[0]; i++)
        if (!strcmp(RULES[i].name, name))
            return RULES[i].fn;
    return NULL;
}

static int apply(const finn_registry *reg, finn_model *m, const char *name,
                 finn_hw_refusals *refusals, finn_error *err)
{
    finn_hw_rule_fn fn = finn_hw_rule_find(name);
    if (!fn)
        return finn_error_set(err, FINN_ERR_NOT_FOUND, "unknown rewrite %s", name);
    if (finn_hw_transform(reg, m, fn, refusals, err))
        return finn_error_prefix(err, "%s: ", name);
    return 0;
}

static bool has_op(const finn_model *m, const char *op)
{
    for (size_t i = 0; i < m->n_nodes; i++)
        if (!strcmp(m->nodes[i]->op_type, op))
            return true;
    return false;
}

int finn_convert_to_hw(const finn_registry *reg, finn_model *m, bool standalone_thresholds,
                       finn_hw_refusals *refusals, finn_error *err)
{
    static const char *const MAIN[] = {"InferBinaryMatrixVectorActivation",
                                       "InferQuantizedMatrixVectorActivation",
                                       "InferLabelSelectLayer", "InferThresholdingLayer"};
    static const char *const CONV[] = {"InferConvInpGen", "InferStreamingMaxPool",
                                       "RemoveCNVtoFCFlatten"};
    if (standalone_thresholds && apply(reg, m, "InferThresholdingLayer", refusals, err))
        return -1;
    for (size_t i = 0; i < sizeof MAIN / sizeof MAIN[0]; i++)
        if (apply(reg, m, MAIN[i], refusals, err))
            return -1;
    if (has_op(m, "Im2Col"))
        for (size_t i = 0; i < sizeof CONV / sizeof CONV[0]; i++)
            if (apply(reg, m, CONV[i], refusals, err))
                return -1;
    if (apply(reg, m, "AbsorbConsecutiveTransposes", refusals, err))
        return -1;
    if (finn_give_unique_node_names(m, err) || finn_model_cleanup(m, err))
        return finn_error_prefix(err, "GiveUniqueNodeNames: ");
    if (finn_infer_data_layouts(reg, m, err) || finn_model_cleanup(m, err))
        return finn_error_prefix(err, "InferDataLayouts: ");
    return 0;
}
