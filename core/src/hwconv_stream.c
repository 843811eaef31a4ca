/*
 * hwconv_stream.c - stream-joining and other element layers to HW:
 * InferAddStreamsLayer, InferDuplicateStreamsLayer, InferGlobalAccPoolLayer,
 * InferConcatLayer, InferStreamingEltwise and InferLookupLayer
 * (finn-frontend.md 8.3).
 */
#include "hwconv_priv.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define REFUSE(...) (hc_refuse(refusals, n, err, __VA_ARGS__) ? -1 : 0)

/* Rewire a two-input node's NCHW inputs/output through transposes
 * (finn-frontend.md 8.2); x0/x1/y receive the new names (NULL = unchanged);
 * *insert_point is where the HW node goes. */
static int nhwc_wrap2(finn_model *m, size_t node_ind, const char *in0, const char *in1,
                      const char *out, char **x0, char **x1, char **y, size_t *insert_point,
                      finn_error *err)
{
    char lb[16];
    *x0 = *x1 = *y = NULL;
    if (!strcmp(hc_layout(m, in0, lb), "NCHW") &&
        finn_nchw_to_nhwc(m, in0, node_ind++, false, x0, err))
        return -1;
    if (in1 && !strcmp(hc_layout(m, in1, lb), "NCHW") &&
        finn_nchw_to_nhwc(m, in1, node_ind++, false, x1, err))
        return -1;
    *insert_point = node_ind;
    if (!strcmp(hc_layout(m, out, lb), "NCHW") &&
        finn_nchw_to_nhwc(m, out, node_ind, true, y, err))
        return -1;
    return 0;
}

static void free3(char *a, char *b, char *c)
{
    free(a);
    free(b);
    free(c);
}

/* Both inputs dynamic with equal known shapes; fills the shape. */
static bool two_streams(const finn_model *m, const finn_node *n, int64_t *shape, int *nd)
{
    int64_t s1[FINN_MAX_DIMS];
    if (n->n_inputs < 2 || n->n_outputs < 1)
        return false;
    *nd = hc_shape(m, n->inputs[0], shape);
    int nd1 = hc_shape(m, n->inputs[1], s1);
    if (*nd < 1 || !finn_shape_equal(*nd, shape, nd1, s1))
        return false;
    return !hc_has_init(m, n->inputs[0]) && !hc_has_init(m, n->inputs[1]);
}

/* ---- AddStreams ------------------------------------------------------------------------- */

static int add_one(finn_model *m, size_t i, finn_node *n, int64_t *shape, int nd,
                   finn_hw_refusals *refusals, finn_error *err)
{
    const char *in0 = n->inputs[0], *in1 = n->inputs[1];
    char d0[FINN_DT_NAME_MAX], d1[FINN_DT_NAME_MAX];
    hc_dt_name(m, in0, d0);
    hc_dt_name(m, in1, d1);
    if (strcmp(d0, d1))
        return REFUSE("inputs '%s' (%s) and '%s' (%s) have different datatypes", in0, d0, in1,
                      d1);
    if (!hc_is_int(m, in0))
        return REFUSE("inputs '%s' and '%s' have datatype %s, not an integer type", in0, in1,
                      d0);
    char *x0, *x1, *y;
    size_t ip;
    if (nhwc_wrap2(m, i + 1, in0, in1, n->outputs[0], &x0, &x1, &y, &ip, err)) {
        free3(x0, x1, y);
        return -1;
    }
    if (x0)
        nd = hc_shape(m, x0, shape);
    finn_node *hw = hc_hw_node("AddStreams", "AddStreams_", n->name, err);
    int rc = !hw || hc_io(hw, x0 ? x0 : in0, x1 ? x1 : in1, NULL, y ? y : n->outputs[0], err) ||
             finn_node_set_attr_i(hw, "NumChannels", shape[nd - 1], err) ||
             finn_node_set_attr_i(hw, "PE", 1, err) ||
             finn_node_set_attr_s(hw, "inputDataType", d0, err) ||
             hc_set_vecs(hw, "numInputVectors", shape, nd - 1, err);
    free3(x0, x1, y);
    if (rc) {
        finn_node_free(hw);
        return -1;
    }
    if (hc_insert(m, ip, hw, err))
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

int finn_infer_add_streams_layer(const finn_registry *reg, finn_model *m,
                                 finn_hw_refusals *refusals, bool *changed, finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        int64_t shape[FINN_MAX_DIMS];
        int nd;
        if (strcmp(n->op_type, "Add") || !two_streams(m, n, shape, &nd))
            continue;
        int rc = add_one(m, i, n, shape, nd, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    return *changed ? hc_finish(reg, m, err) : 0;
}

/* ---- DuplicateStreams ------------------------------------------------------------------------ */

static int dup_one(finn_model *m, size_t i, finn_node *n, size_t fan,
                   finn_hw_refusals *refusals, finn_error *err)
{
    const char *t = n->outputs[0];
    char dts[FINN_DT_NAME_MAX];
    hc_dt_name(m, t, dts);
    if (!hc_is_int(m, t))
        return REFUSE("output '%s' has datatype %s, not an integer type", t, dts);
    int64_t shape[FINN_MAX_DIMS];
    int nd = hc_shape(m, t, shape);
    if (nd < 1)
        return REFUSE("output '%s' has an unknown shape", t);
    char **clones = finn_xcalloc(fan, sizeof *clones, err);
    int64_t *depths = clones ? finn_xcalloc(fan, sizeof *depths, err) : NULL;
    int rc = depths ? 0 : -1;
    for (size_t k = 0; k < fan && rc == 0; k++) {
        clones[k] = hc_new_tensor(m, nd, shape, NULL, err);
        depths[k] = 2;
        rc = clones[k] ? 0 : -1;
    }
    /* each consumer slot reading t gets its own clone, in graph order */
    size_t next = 0;
    for (size_t j = 0; j < m->n_nodes && rc == 0; j++) {
        finn_node *c = m->nodes[j];
        for (size_t s = 0; s < c->n_inputs && rc == 0 && next < fan; s++)
            if (!strcmp(c->inputs[s], t))
                rc = finn_node_set_input(c, s, clones[next++], err);
    }
    finn_node *hw = NULL;
    if (rc == 0) {
        hw = hc_hw_node("DuplicateStreams", "DuplicateStreams_", n->name, err);
        rc = !hw || finn_node_add_input(hw, t, err);
        for (size_t k = 0; k < fan && rc == 0; k++)
            rc = finn_node_add_output(hw, clones[k], err);
        rc = rc || finn_node_set_attr_i(hw, "NumChannels", shape[nd - 1], err) ||
             finn_node_set_attr_i(hw, "PE", 1, err) ||
             finn_node_set_attr_s(hw, "inputDataType", dts, err) ||
             hc_set_vecs(hw, "numInputVectors", shape, nd - 1, err) ||
             finn_node_set_attr_i(hw, "NumOutputStreams", (int64_t)fan, err) ||
             finn_node_set_attr_ints(hw, "outFIFODepths", depths, fan, err);
        if (rc) {
            finn_node_free(hw);
        } else {
            rc = hc_insert(m, i + 1, hw, err);
        }
    }
    for (size_t k = 0; clones && k < fan; k++)
        free(clones[k]);
    free(clones);
    free(depths);
    return rc ? -1 : 1;
}

int finn_infer_duplicate_streams_layer(const finn_registry *reg, finn_model *m,
                                       finn_hw_refusals *refusals, bool *changed,
                                       finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (n->n_outputs < 1 || !n->outputs[0][0])
            continue;
        size_t fan = hc_consumer_slots(m, n->outputs[0]);
        if (fan < 2)
            continue;
        int rc = dup_one(m, i, n, fan, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    if (!*changed)
        return 0;
    if (finn_model_toposort(m, err))
        return -1;
    return hc_finish(reg, m, err);
}

/* ---- GlobalAccPool ------------------------------------------------------------------------------ */

static int gap_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                   finn_error *err)
{
    const char *in = n->inputs[0], *res = n->outputs[0];
    char dts[FINN_DT_NAME_MAX], lb[16];
    hc_dt_name(m, in, dts);
    if (!hc_is_int(m, in))
        return REFUSE("input '%s' has datatype %s, not an integer type", in, dts);
    int64_t shape[FINN_MAX_DIMS], oshape[FINN_MAX_DIMS];
    int nd = hc_shape(m, in, shape);
    if (nd != 4 || hc_shape(m, res, oshape) != 4)
        return REFUSE("input '%s' or output '%s' is not a known 4-D shape", in, res);
    char *x, *x1, *y;
    size_t ip;
    if (nhwc_wrap2(m, i + 1, in, NULL, res, &x, &x1, &y, &ip, err)) {
        free3(x, x1, y);
        return -1;
    }
    if (x)
        nd = hc_shape(m, x, shape);
    const char *result = y ? y : res;
    int ond = hc_shape(m, result, oshape);
    char *pool_out = hc_new_tensor(m, ond, oshape, NULL, err);
    char *mul_c = pool_out ? finn_model_unique_tensor_name(m, "hw_tensor") : NULL;
    int rc = mul_c ? 0 : -1;
    if (pool_out && !mul_c)
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory making a tensor name");
    char rl[16];
    snprintf(rl, sizeof rl, "%s", hc_layout(m, result, lb));
    if (rc == 0 && rl[0] && finn_model_set_layout(m, pool_out, rl, err))
        rc = -1;
    if (rc == 0) { /* a float32 scalar 1/(H*W) */
        finn_tensor *c = finn_tensor_new(FINN_ELEM_FLOAT, 0, NULL, err);
        if (c)
            finn_tensor_set(c, 0, (double)(float)(1.0 / (double)(shape[1] * shape[2])));
        if (!c || finn_model_set_initializer(m, mul_c, c, err))
            rc = -1;
    }
    finn_node *hw = NULL, *mul = NULL;
    if (rc == 0) {
        hw = hc_hw_node("GlobalAccPool", "GlobalAccPool_", n->name, err);
        mul = hw ? finn_node_new("Mul", "", "", err) : NULL;
        rc = !mul || hc_io(hw, x ? x : in, NULL, NULL, pool_out, err) ||
             finn_node_set_attr_i(hw, "NumChannels", shape[nd - 1], err) ||
             finn_node_set_attr_i(hw, "PE", 1, err) ||
             finn_node_set_attr_s(hw, "inputDataType", dts, err) ||
             hc_set_vecs(hw, "numInputVectors", shape, nd - 1, err) ||
             hc_io(mul, pool_out, mul_c, NULL, result, err);
        if (rc) {
            finn_node_free(hw);
            finn_node_free(mul);
        } else if (hc_insert(m, ip, hw, err)) {
            finn_node_free(mul);
            rc = -1;
        } else {
            rc = hc_insert(m, ip + 1, mul, err);
        }
    }
    free3(x, x1, y);
    free(pool_out);
    free(mul_c);
    if (rc)
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

int finn_infer_global_acc_pool_layer(const finn_registry *reg, finn_model *m,
                                     finn_hw_refusals *refusals, bool *changed, finn_error *err)
{
    if (hc_each(m, "GlobalAveragePool", 1, 1, gap_one, refusals, changed, err))
        return -1;
    return *changed ? hc_finish(reg, m, err) : 0;
}

/* ---- StreamingConcat ------------------------------------------------------------------------------ */

static int concat_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                      finn_error *err)
{
    int64_t s0[FINN_MAX_DIMS], s[FINN_MAX_DIMS];
    int nd = hc_shape(m, n->inputs[0], s0);
    const finn_attr *ax = finn_node_attr(n, "axis");
    if (!ax || nd < 1)
        return REFUSE("no axis attribute or unknown input shape");
    if (ax->i != -1 && ax->i != nd - 1)
        return REFUSE("axis %lld is not the last axis", (long long)ax->i);
    char d0[FINN_DT_NAME_MAX], d[FINN_DT_NAME_MAX];
    hc_dt_name(m, n->inputs[0], d0);
    int64_t *elems = finn_xcalloc(n->n_inputs, sizeof *elems, err);
    int64_t *fifo = elems ? finn_xcalloc(n->n_inputs, sizeof *fifo, err) : NULL;
    if (!fifo) {
        free(elems);
        return -1;
    }
    int rc = 1;
    for (size_t k = 0; k < n->n_inputs && rc == 1; k++) {
        const char *t = n->inputs[k];
        if (strcmp(hc_dt_name(m, t, d), d0))
            rc = REFUSE("input '%s' has datatype %s, input '%s' %s", t, d, n->inputs[0], d0);
        else if (hc_has_init(m, t))
            rc = REFUSE("input '%s' is a constant", t);
        else if (hc_shape(m, t, s) < 1)
            rc = REFUSE("input '%s' has an unknown shape", t);
        else
            elems[k] = s[hc_shape(m, t, s) - 1], fifo[k] = 2;
    }
    if (rc == 1 && !hc_is_int(m, n->inputs[0]))
        rc = REFUSE("inputs have datatype %s, not an integer type", d0);
    finn_node *hw = NULL;
    if (rc == 1) {
        hw = hc_hw_node("StreamingConcat", "Concat_", n->name, err);
        int bad = !hw;
        for (size_t k = 0; k < n->n_inputs && !bad; k++)
            bad = finn_node_add_input(hw, n->inputs[k], err);
        for (size_t k = 0; k < n->n_outputs && !bad; k++)
            bad = finn_node_add_output(hw, n->outputs[k], err);
        bad = bad || finn_node_set_attr_ints(hw, "ElemsPerStream", elems, n->n_inputs, err) ||
              finn_node_set_attr_s(hw, "inputDataType", d0, err) ||
              hc_set_vecs(hw, "numInputVectors", s0, nd - 1, err) ||
              finn_node_set_attr_ints(hw, "inFIFODepths", fifo, n->n_inputs, err);
        if (bad) {
            finn_node_free(hw);
            rc = -1;
        } else if (hc_insert(m, i + 1, hw, err)) {
            rc = -1;
        } else {
            finn_model_remove_node(m, n);
        }
    }
    free(elems);
    free(fifo);
    return rc;
}

int finn_infer_concat_layer(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                            bool *changed, finn_error *err)
{
    if (hc_each(m, "Concat", 1, 1, concat_one, refusals, changed, err))
        return -1;
    return *changed ? hc_finish(reg, m, err) : 0;
}

/* ---- StreamingEltwise ------------------------------------------------------------------------------ */

static int eltwise_one(finn_model *m, size_t i, finn_node *n, int64_t *shape, int nd,
                       finn_hw_refusals *refusals, finn_error *err)
{
    const char *in0 = n->inputs[0], *in1 = n->inputs[1];
    char d0[FINN_DT_NAME_MAX], d1[FINN_DT_NAME_MAX];
    hc_dt_name(m, in0, d0);
    hc_dt_name(m, in1, d1);
    if (!hc_is_int(m, in0) || !hc_is_int(m, in1))
        return REFUSE("input '%s' has datatype %s, not an integer type",
                      hc_is_int(m, in0) ? in1 : in0, hc_is_int(m, in0) ? d1 : d0);
    const char *op = "Sub", *result = n->outputs[0];
    finn_node *abs = hc_find_consumer(m, result);
    if (abs && !strcmp(abs->op_type, "Abs")) {
        op = "AbsDiff";
        result = abs->outputs[0];
    } else {
        abs = NULL;
    }
    char *x0, *x1, *y;
    size_t ip;
    if (nhwc_wrap2(m, i + 1, in0, in1, result, &x0, &x1, &y, &ip, err)) {
        free3(x0, x1, y);
        return -1;
    }
    if (x0)
        nd = hc_shape(m, x0, shape);
    finn_node *hw = hc_hw_node("StreamingEltwise", "StreamingEltwise_", n->name, err);
    int rc = !hw || hc_io(hw, x0 ? x0 : in0, x1 ? x1 : in1, NULL, y ? y : result, err) ||
             finn_node_set_attr_i(hw, "NumChannels", shape[nd - 1], err) ||
             finn_node_set_attr_i(hw, "PE", 1, err) ||
             finn_node_set_attr_s(hw, "inputDataType0", d0, err) ||
             finn_node_set_attr_s(hw, "inputDataType1", d1, err) ||
             finn_node_set_attr_s(hw, "eltwiseOp", op, err) ||
             hc_set_vecs(hw, "numInputVectors", shape, nd - 1, err);
    free3(x0, x1, y);
    if (rc) {
        finn_node_free(hw);
        return -1;
    }
    if (hc_insert(m, ip, hw, err))
        return -1;
    finn_model_remove_node(m, n);
    if (abs)
        finn_model_remove_node(m, abs);
    return 1;
}

int finn_infer_streaming_eltwise(const finn_registry *reg, finn_model *m,
                                 finn_hw_refusals *refusals, bool *changed, finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        int64_t shape[FINN_MAX_DIMS];
        int nd;
        if (strcmp(n->op_type, "Sub") || !two_streams(m, n, shape, &nd))
            continue;
        int rc = eltwise_one(m, i, n, shape, nd, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    return *changed ? hc_finish(reg, m, err) : 0;
}

/* ---- Lookup ------------------------------------------------------------------------------------ */

static int lookup_one(finn_model *m, size_t i, finn_node *n, finn_hw_refusals *refusals,
                      finn_error *err)
{
    const char *emb = n->inputs[0], *ind = n->inputs[1];
    const finn_tensor *E = finn_model_initializer(m, emb);
    if (finn_node_attr_i(n, "axis", 0) != 0)
        return REFUSE("axis %lld is not 0", (long long)finn_node_attr_i(n, "axis", 0));
    finn_datatype idt = finn_model_datatype(m, ind);
    char ids[FINN_DT_NAME_MAX], eds[FINN_DT_NAME_MAX];
    finn_dt_name(idt, ids, sizeof ids);
    hc_dt_name(m, emb, eds);
    if (!finn_dt_is_integer(idt) || finn_dt_signed(idt))
        return REFUSE("indices '%s' have datatype %s, not an unsigned integer type", ind, ids);
    int64_t is[FINN_MAX_DIMS];
    int nd = hc_shape(m, ind, is);
    if (E->ndim != 2 || nd < 0)
        return REFUSE("embeddings '%s' are not 2-D or indices have an unknown shape", emb);
    finn_node *hw = hc_hw_node("Lookup", "Lookup_", n->name, err);
    if (!hw || hc_io(hw, ind, emb, NULL, n->outputs[0], err) ||
        finn_node_set_attr_i(hw, "NumEmbeddings", E->shape[0], err) ||
        finn_node_set_attr_i(hw, "EmbeddingDim", E->shape[1], err) ||
        finn_node_set_attr_s(hw, "EmbeddingType", eds, err) ||
        finn_node_set_attr_s(hw, "InputType", ids, err) ||
        hc_set_vecs(hw, "InputShape", is, nd, err)) {
        finn_node_free(hw);
        return -1;
    }
    if (hc_insert(m, i + 1, hw, err))
        return -1;
    finn_model_remove_node(m, n);
    return 1;
}

int finn_infer_lookup_layer(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                            bool *changed, finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (strcmp(n->op_type, "Gather") || n->n_inputs < 2 || n->n_outputs < 1 ||
            !hc_has_init(m, n->inputs[0]))
            continue;
        int rc = lookup_one(m, i, n, refusals, err);
        if (rc < 0)
            return -1;
        *changed |= rc > 0;
    }
    return *changed ? hc_finish(reg, m, err) : 0;
}
