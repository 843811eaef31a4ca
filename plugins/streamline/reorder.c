/*
 * reorder.c - FINN's reorder.py rewrites around Conv and MaxPool:
 * MoveMulPastMaxPool, MoveAddPastConv, MoveScalarMulPastConv and
 * MakeMaxPoolNHWC.
 */
#include "sl.h"

#include <stdlib.h>
#include <string.h>

static bool is_op(const finn_node *n, const char *op)
{
    return n && !strcmp(n->op_type, op);
}

/* Non-fork non-join `op` node whose first consumer is a non-join `next`. */
static finn_node *linear_pair(const finn_model *m, const finn_node *n, const char *op,
                              const char *next)
{
    if (!is_op(n, op) || sl_is_fork(m, n) || sl_is_join(m, n))
        return NULL;
    finn_node *c = sl_consumer(m, n->outputs[0]);
    return is_op(c, next) && !sl_is_join(m, c) ? c : NULL;
}

/* A is (1, C, 1, 1). */
static bool is_channelwise(const finn_tensor *a, int64_t c)
{
    int64_t s[4] = {1, c, 1, 1};
    return sl_shape_is(a, 4, s);
}

/* The swap FINN does for Mul/Add past Conv/MaxPool (node `lin` at index i,
 * its consumer `op`): op reads lin's input and writes lin's old output; lin
 * reads that and writes op's old output; lin moves to index i + 1.
 * With float_dt the three tensors are re-annotated FLOAT32. */
static int rewire_past(finn_model *m, size_t i, finn_node *lin, finn_node *op, bool float_dt,
                       finn_error *err)
{
    char *start = strdup(lin->inputs[0]), *op_in = strdup(op->inputs[0]);
    char *op_out = strdup(op->outputs[0]);
    int rc = start && op_in && op_out ? 0 : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    int64_t in_shape[FINN_MAX_DIMS], out_shape[FINN_MAX_DIMS];
    int in_nd = rc == 0 ? sl_shape_of(m, op_in, in_shape) : -1;
    int out_nd = rc == 0 ? sl_shape_of(m, op_out, out_shape) : -1;
    finn_datatype f32 = finn_dt_float32();
    if (rc == 0 && (finn_node_set_input(op, 0, start, err) ||
                    sl_set_shape(m, start, in_nd, in_shape, err) ||
                    (float_dt && sl_set_dt(m, start, f32, err)) ||
                    finn_node_set_output(op, 0, op_in, err) ||
                    sl_set_shape(m, op_in, out_nd, out_shape, err) ||
                    (float_dt && sl_set_dt(m, op_in, f32, err)) ||
                    finn_node_set_input(lin, 0, op_in, err) ||
                    finn_node_set_output(lin, 0, op_out, err) ||
                    (float_dt && sl_set_dt(m, op_out, f32, err)) || sl_move(m, lin, i + 1, err)))
        rc = -1;
    free(start);
    free(op_in);
    free(op_out);
    return rc;
}

/* ---- MoveMulPastMaxPool ------------------------------------------------------- */
int sl_move_mul_past_maxpool(const finn_registry *reg, finn_model *m, bool *changed,
                             finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        finn_node *c = linear_pair(m, n, "Mul", "MaxPool");
        if (!c)
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1);
        if (!a)
            continue;
        int64_t in_shape[FINN_MAX_DIMS];
        int in_nd = sl_shape_of(m, c->inputs[0], in_shape);
        const int64_t *ks = NULL;
        /* only 2-D MaxPool; never move negative factors */
        if (finn_node_attr_ints(c, "kernel_shape", &ks) != 2 || in_nd < 2 || sl_any_negative(a))
            continue;
        if (!(sl_all_dims_one(a) || is_channelwise(a, in_shape[1])))
            continue;
        if (rewire_past(m, i, n, c, true, err))
            return -1;
        *changed = true;
    }
    return finn_infer_shapes(reg, m, err);
}

/* ---- MoveScalarMulPastConv --------------------------------------------------------- */
int sl_move_scalar_mul_past_conv(const finn_registry *reg, finn_model *m, bool *changed,
                                 finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        finn_node *c = linear_pair(m, n, "Mul", "Conv");
        if (!c)
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1);
        if (!a || !sl_all_dims_one(a))
            continue;
        if (rewire_past(m, i, n, c, false, err))
            return -1;
        *changed = true;
    }
    return finn_infer_shapes(reg, m, err);
}

/* ---- MoveAddPastConv ------------------------------------------------------------------ */

static bool pads_all_zero(const finn_node *conv, bool *present)
{
    const int64_t *p = NULL;
    size_t n = finn_node_attr_ints(conv, "pads", &p);
    *present = p != NULL;
    int64_t sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += p[i];
    return sum == 0;
}

/* Run the Conv on a constant input filled with A; the new addend is the
 * output at pixel (0, 0), shaped (1, OC, 1, 1). */
static finn_tensor *conv_of_const(const finn_registry *reg, const finn_model *m,
                                  const finn_node *conv, const finn_tensor *a, int in_nd,
                                  const int64_t *in_shape, finn_error *err)
{
    finn_tensor *x = finn_tensor_new(FINN_ELEM_FLOAT, in_nd, in_shape, err);
    finn_exec_ctx *ctx = x ? finn_exec_ctx_new(err) : NULL;
    finn_tensor *r = NULL;
    if (!ctx) {
        finn_tensor_free(x);
        return NULL;
    }
    size_t per_ch = finn_shape_numel(in_nd - 2, in_shape + 2), numel = finn_tensor_numel(x);
    bool cw = is_channelwise(a, in_shape[1]);
    float *xv = x->data;
    /* batch 0 only gets the channel-wise fill, as in FINN */
    for (size_t i = 0; i < numel; i++) {
        size_t ch = (i / per_ch) % (size_t)in_shape[1];
        if (!cw)
            xv[i] = (float)finn_tensor_get(a, 0);
        else if (i < per_ch * (size_t)in_shape[1])
            xv[i] = (float)finn_tensor_get(a, ch);
    }
    int rc = finn_exec_ctx_set(ctx, conv->inputs[0], x, err);
    for (size_t k = 1; k < conv->n_inputs && rc == 0; k++) {
        const finn_tensor *init = sl_init_of(m, conv, k);
        if (!init)
            continue;
        finn_tensor *copy = finn_tensor_copy(init, err);
        rc = copy ? finn_exec_ctx_set(ctx, conv->inputs[k], copy, err) : -1;
    }
    if (rc == 0)
        rc = finn_execute_node(reg, m, conv, ctx, err);
    const finn_tensor *y = rc == 0 ? finn_exec_ctx_get(ctx, conv->outputs[0]) : NULL;
    if (y && y->ndim >= 2) {
        int64_t s[4] = {1, y->shape[1], 1, 1};
        size_t pix = finn_shape_numel(y->ndim - 2, y->shape + 2);
        r = finn_tensor_new(FINN_ELEM_FLOAT, 4, s, err);
        for (int64_t o = 0; r && o < y->shape[1]; o++)
            ((float *)r->data)[o] = (float)finn_tensor_get(y, (size_t)o * pix);
    } else if (rc == 0) {
        finn_error_set(err, FINN_ERR_INVALID, "MoveAddPastConv: Conv '%s' gave no output",
                       conv->name);
    }
    finn_exec_ctx_free(ctx);
    return r;
}

int sl_move_add_past_conv(const finn_registry *reg, finn_model *m, bool *changed,
                          finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        finn_node *c = linear_pair(m, n, "Add", "Conv");
        if (!c)
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1);
        if (!a)
            continue;
        int64_t in_shape[FINN_MAX_DIMS];
        int in_nd = sl_shape_of(m, c->inputs[0], in_shape);
        bool has_pads;
        /* FINN reads `pads` unconditionally (it fails without it); we skip */
        if (in_nd < 3 || !pads_all_zero(c, &has_pads) || !has_pads)
            continue;
        if (!(sl_all_dims_one(a) || is_channelwise(a, in_shape[1])))
            continue;
        finn_tensor *anew = conv_of_const(reg, m, c, a, in_nd, in_shape, err);
        if (!anew || sl_set_init(m, n->inputs[1], anew, err) || rewire_past(m, i, n, c, false, err))
            return -1;
        *changed = true;
    }
    return finn_infer_shapes(reg, m, err);
}

/* ---- MakeMaxPoolNHWC ------------------------------------------------------------------- */

static int to_nhwc_op(finn_node *n, finn_error *err)
{
    int64_t ceil_mode = finn_node_attr_i(n, "ceil_mode", 0);
    if (sl_set_op(n, "MaxPoolNHWC", SL_QONNX_DOMAIN, err))
        return -1;
    return finn_node_set_attr_i(n, "ceil_mode", ceil_mode, err);
}

/* MaxPool -> Transpose(0,2,3,1)  becomes  Transpose -> MaxPoolNHWC. */
static int pool_then_transpose(finn_model *m, size_t i, finn_node *n, finn_node *t,
                               finn_error *err)
{
    char *start = strdup(n->inputs[0]), *mid = strdup(t->inputs[0]);
    char *end = strdup(t->outputs[0]);
    int rc = start && mid && end ? 0 : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    int64_t si[FINN_MAX_DIMS], so[FINN_MAX_DIMS];
    if (rc == 0 && (sl_shape_of(m, start, si) != 4 || sl_shape_of(m, mid, so) != 4))
        rc = finn_error_set(err, FINN_ERR_INVALID,
                            "MakeMaxPoolNHWC: '%s' needs 4-D input/output shapes", n->name);
    int64_t mid_s[4] = {si[0], si[2], si[3], si[1]}, end_s[4] = {so[0], so[2], so[3], so[1]};
    if (rc == 0 &&
        (to_nhwc_op(n, err) || finn_node_set_input(t, 0, start, err) ||
         finn_node_set_output(t, 0, mid, err) || finn_node_set_input(n, 0, mid, err) ||
         finn_node_set_output(n, 0, end, err) || sl_set_shape(m, mid, 4, mid_s, err) ||
         sl_set_shape(m, end, 4, end_s, err) || sl_move(m, t, i, err)))
        rc = -1;
    free(start);
    free(mid);
    free(end);
    return rc;
}

/* Transpose(0,3,1,2) -> MaxPool  becomes  MaxPoolNHWC -> Transpose. */
static int transpose_then_pool(finn_model *m, size_t i, finn_node *n, finn_node *t,
                               finn_error *err)
{
    char *start = strdup(t->inputs[0]), *mid = strdup(n->inputs[0]);
    char *end = strdup(n->outputs[0]);
    int rc = start && mid && end ? 0 : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    int64_t si[FINN_MAX_DIMS], so[FINN_MAX_DIMS];
    if (rc == 0 && (sl_shape_of(m, start, si) != 4 || sl_shape_of(m, end, so) != 4))
        rc = finn_error_set(err, FINN_ERR_INVALID,
                            "MakeMaxPoolNHWC: '%s' needs 4-D input/output shapes", n->name);
    /* start is (b, hi, wi, c), end is (b, c, ho, wo) */
    int64_t mid_s[4] = {so[0], so[2], so[3], so[1]}, end_s[4] = {so[0], so[1], so[2], so[3]};
    if (rc == 0 &&
        (to_nhwc_op(n, err) || finn_node_set_input(t, 0, mid, err) ||
         finn_node_set_output(t, 0, end, err) || finn_node_set_input(n, 0, start, err) ||
         finn_node_set_output(n, 0, mid, err) || sl_set_shape(m, mid, 4, mid_s, err) ||
         sl_set_shape(m, end, 4, end_s, err) || sl_move(m, t, i + 1, err)))
        rc = -1;
    (void)si;
    free(start);
    free(mid);
    free(end);
    return rc;
}

int sl_make_maxpool_nhwc(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err)
{
    (void)reg;
    static const int64_t to_nhwc[4] = {0, 2, 3, 1}, to_nchw[4] = {0, 3, 1, 2};
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!is_op(n, "MaxPool"))
            continue;
        finn_node *c = sl_consumer(m, n->outputs[0]);
        finn_node *p = sl_producer(m, n->inputs[0]);
        int rc = 0;
        if (is_op(c, "Transpose")) {
            if (!sl_perm_is(c, to_nhwc, 4))
                continue;
            rc = pool_then_transpose(m, i, n, c, err);
        } else if (is_op(p, "Transpose")) {
            if (!sl_perm_is(p, to_nchw, 4))
                continue;
            rc = transpose_then_pool(m, i, n, p, err);
        } else {
            continue;
        }
        if (rc)
            return -1;
        *changed = true;
    }
    return 0;
}
