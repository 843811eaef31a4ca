/*
 * transform_layouts.c - InferDataLayouts (QONNX infer_data_layouts.py,
 * finn-frontend.md 5.5): "tensor_layout" annotations guessed from the
 * first graph input, node types and tensor ranks.
 *
 * A layout is handled here as a string of one letter per dimension
 * ("NCHW"); "" is QONNX's UNKNOWN layout, stored as "[]", which differs
 * from having no annotation at all.
 */
#include <stdlib.h>
#include <string.h>

#include "finn/registry.h"
#include "finn/transforms.h"
#include "util.h"

#define LAYOUT_MAX 64
#define KEY "tensor_layout"

static bool has_layout(const finn_model *m, const char *name)
{
    return finn_model_annotation(m, name, KEY) != NULL;
}

static int store_layout(finn_model *m, const char *name, const char *letters, finn_error *err)
{
    if (!*letters)
        return finn_model_set_annotation(m, name, KEY, "[]", err);
    return finn_model_set_layout(m, name, letters, err);
}

/* Rank of a tensor, -1 when unknown. */
static int rank_of(const finn_model *m, const char *name)
{
    const finn_value *v = finn_model_value(m, name);
    return v ? v->ndim : -1;
}

static const char *channels_last_default(int ndims)
{
    return ndims == 4 ? "NHWC" : ndims == 3 ? "NWC" : ndims == 2 ? "NC" : "";
}

static bool is_custom(const finn_node *n)
{
    return n->domain[0] && strcmp(n->domain, "ai.onnx") != 0;
}

/* QONNX's _dims_to_layout: the layout of an output of rank ndims.
 * Returns false where QONNX raises (the node then gets UNKNOWN). */
static bool dims_to_layout(const finn_model *m, const finn_node *n, int ndims, char *out)
{
    char buf[LAYOUT_MAX];
    if (ndims == 2) {
        strcpy(out, "NC");
        return true;
    }
    if (is_custom(n) &&
        (!strcmp(n->op_type, "MultiThreshold") || !strcmp(n->op_type, "QuantAvgPool2d"))) {
        const char *dl = finn_node_attr_s(n, "data_layout", "NCHW");
        if ((!strcmp(dl, "NHWC") || !strcmp(dl, "NCHW")) && ndims == 4)
            strcpy(out, dl);
        else if (!strcmp(dl, "NWC") && ndims == 3)
            strcpy(out, dl);
        else
            out[0] = 0;
        return true;
    }
    if (n->n_inputs == 0)
        return false;
    const char *in = n->inputs[0];
    finn_model_layout(m, in, buf, sizeof buf);
    if (is_custom(n)) {
        /* custom ops pass the input layout on only when the ranks match */
        int in_rank = rank_of(m, in);
        if (in_rank < 0)
            return false;
        if (in_rank == ndims && buf[0]) {
            strcpy(out, buf);
            return true;
        }
    } else if (buf[0]) {
        strcpy(out, buf);
        return true;
    }
    strcpy(out, channels_last_default(ndims));
    return true;
}

static bool transpose_layout(const finn_model *m, const finn_node *n, char *out)
{
    const int64_t *perm;
    size_t np = finn_node_attr_ints(n, "perm", &perm);
    if (!finn_node_attr(n, "perm") || !has_layout(m, n->inputs[0]) || np >= LAYOUT_MAX)
        return false;
    char in[LAYOUT_MAX];
    finn_model_layout(m, n->inputs[0], in, sizeof in);
    int64_t len = (int64_t)strlen(in);
    for (size_t i = 0; i < np; i++) {
        int64_t p = perm[i] < 0 ? perm[i] + len : perm[i]; /* python indexing */
        if (p < 0 || p >= len)
            return false;
        out[i] = in[p];
    }
    out[np] = 0;
    return true;
}

static bool is_std_reshaper(const finn_node *n)
{
    return !is_custom(n) && n->n_inputs > 0 &&
           (!strcmp(n->op_type, "Transpose") || !strcmp(n->op_type, "Unsqueeze") ||
            !strcmp(n->op_type, "Squeeze"));
}

/* Transpose permutes the input layout, Unsqueeze appends a dummy "x",
 * Squeeze drops a trailing one.  Only output 0 is annotated. */
static bool reshaper_layout(const finn_model *m, const finn_node *n, char *out)
{
    if (!strcmp(n->op_type, "Transpose"))
        return transpose_layout(m, n, out);
    if (!has_layout(m, n->inputs[0]))
        return false;
    char in[LAYOUT_MAX];
    finn_model_layout(m, n->inputs[0], in, sizeof in);
    size_t len = strlen(in);
    if (!strcmp(n->op_type, "Unsqueeze")) {
        if (len + 2 > LAYOUT_MAX)
            return false;
        strcpy(out, in);
        strcat(out, "x");
        return true;
    }
    if (len == 0 || in[len - 1] != 'x')
        return false;
    in[len - 1] = 0;
    strcpy(out, in);
    return true;
}

/* Layouts of the node's first *count outputs into outs[k]; false where
 * QONNX raises (all outputs then get UNKNOWN). */
static bool node_layouts(const finn_model *m, const finn_node *n, char (*outs)[LAYOUT_MAX],
                         size_t *count)
{
    if (is_std_reshaper(n)) {
        *count = n->n_outputs ? 1 : 0;
        return *count && reshaper_layout(m, n, outs[0]);
    }
    *count = n->n_outputs;
    for (size_t k = 0; k < n->n_outputs; k++) {
        int ndims = rank_of(m, n->outputs[k]);
        if (ndims < 0 || !dims_to_layout(m, n, ndims, outs[k]))
            return false;
    }
    return true;
}

/* Copies of the outputs' layout annotations (NULL entries when absent). */
static char **snapshot(const finn_model *m, const finn_node *n, finn_error *err)
{
    char **s = finn_xcalloc(n->n_outputs + 1, sizeof *s, err);
    for (size_t k = 0; s && k < n->n_outputs; k++) {
        const char *a = finn_model_annotation(m, n->outputs[k], KEY);
        if (a && !(s[k] = finn_xstrdup(a, err))) {
            for (size_t j = 0; j < k; j++)
                free(s[j]);
            free(s);
            return NULL;
        }
    }
    return s;
}

static int infer_node(finn_model *m, const finn_node *n, bool *changed, finn_error *err)
{
    char(*outs)[LAYOUT_MAX] = finn_xcalloc(n->n_outputs + 1, LAYOUT_MAX, err);
    char **before = outs ? snapshot(m, n, err) : NULL;
    int rc = before ? 0 : -1;
    size_t count = 0;
    bool ok = !rc && node_layouts(m, n, outs, &count);
    size_t n_store = ok ? count : n->n_outputs;
    for (size_t k = 0; !rc && k < n_store; k++)
        if (n->outputs[k][0])
            rc = store_layout(m, n->outputs[k], ok ? outs[k] : "", err);
    for (size_t k = 0; !rc && k < n->n_outputs; k++) {
        const char *a = finn_model_annotation(m, n->outputs[k], KEY);
        if ((a == NULL) != (before[k] == NULL) || (a && strcmp(a, before[k])))
            *changed = true;
    }
    for (size_t k = 0; before && k < n->n_outputs; k++)
        free(before[k]);
    free(before);
    free(outs);
    return rc;
}

int finn_infer_data_layouts(const finn_registry *reg, finn_model *m, finn_error *err)
{
    (void)reg; /* custom ops are told apart by their domain, as QONNX does */
    if (m->n_inputs == 0)
        return finn_error_set(err, FINN_ERR_INVALID, "InferDataLayouts: the model has no graph input");
    const char *in = m->inputs[0];
    if (!has_layout(m, in)) {
        int r = rank_of(m, in);
        const char *l = r == 4 ? "NCHW" : r == 3 ? "NWC" : r == 2 ? "NC" : NULL;
        if (!l)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "InferDataLayouts: graph input '%s' has rank %d; only 2-D, "
                                  "3-D and 4-D inputs can be annotated",
                                  in, r);
        if (finn_model_set_layout(m, in, l, err))
            return -1;
    }
    /* repeat until stable; a sorted graph needs one pass plus a check */
    for (size_t iter = 0; iter < m->n_nodes + 2; iter++) {
        bool changed = false;
        for (size_t i = 0; i < m->n_nodes; i++)
            if (infer_node(m, m->nodes[i], &changed, err))
                return finn_error_prefix(err, "InferDataLayouts: node '%s': ", m->nodes[i]->name);
        if (!changed)
            break;
    }
    return 0;
}
