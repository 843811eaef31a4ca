/*
 * move_scalar_ops.c - FINN's reorder.py rewrites that move constant
 * Add/Mul nodes downstream so they meet and collapse: MoveAddPastMul,
 * MoveScalarMulPastMatMul, MoveScalarAddPastMatMul and
 * MoveScalarLinearPastInvariants.
 */
#include "sl.h"

#include <stdlib.h>
#include <string.h>

static bool is_op(const finn_node *n, const char *op)
{
    return n && !strcmp(n->op_type, op);
}

/* Non-fork, non-join node of type op whose first consumer is a non-join
 * node of type next_op. */
static finn_node *linear_pair(const finn_model *m, const finn_node *n, const char *op,
                              const char *next_op)
{
    if (!is_op(n, op) || sl_is_fork(m, n) || sl_is_join(m, n))
        return NULL;
    finn_node *c = sl_consumer(m, n->outputs[0]);
    return is_op(c, next_op) && !sl_is_join(m, c) ? c : NULL;
}

/* Replace n (at index i) and its consumer c by two new nodes:
 *   op1(start, w1) -> middle   named name1
 *   op2(middle, w2) -> end     named name2
 * inserted right after n, as FINN inserts at node_ind, node_ind + 1. */
static int replace_pair(finn_model *m, size_t i, finn_node *n, finn_node *c, const char *op1,
                        const char *w1, const char *name1, const char *op2, const char *w2,
                        const char *name2, finn_error *err)
{
    const char *start = n->inputs[0], *middle = n->outputs[0], *end = c->outputs[0];
    finn_node *a = sl_node(op1, "", name1, start, w1, middle, err);
    finn_node *b = a ? sl_node(op2, "", name2, middle, w2, end, err) : NULL;
    if (!b) {
        finn_node_free(a);
        return -1;
    }
    if (sl_insert(m, i + 1, a, err)) {
        finn_node_free(b);
        return -1;
    }
    if (sl_insert(m, i + 2, b, err))
        return -1;
    finn_model_remove_node(m, n);
    finn_model_remove_node(m, c);
    return 0;
}

/* ---- MoveAddPastMul: (x + B) * A  ->  x * A + B*A ------------------------- */
int sl_move_add_past_mul(const finn_registry *reg, finn_model *m, bool *changed, finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        finn_node *c = linear_pair(m, n, "Add", "Mul");
        if (!c)
            continue;
        const finn_tensor *a = sl_init_of(m, c, 1), *b = sl_init_of(m, n, 1);
        if (!a || !b)
            continue; /* FINN warns and skips */
        finn_tensor *ba = sl_binary(b, a, '*', err);
        if (!ba)
            return -1;
        char *add_w = strdup(n->inputs[1]), *mul_w = strdup(c->inputs[1]);
        char *add_name = strdup(n->name), *mul_name = strdup(c->name);
        int rc = add_w && mul_w && add_name && mul_name
                     ? 0
                     : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        if (rc == 0)
            rc = replace_pair(m, i, n, c, "Mul", mul_w, mul_name, "Add", add_w, add_name, err);
        if (rc == 0) {
            rc = sl_set_init(m, add_w, ba, err);
            ba = NULL;
        }
        finn_tensor_free(ba);
        free(add_w);
        free(mul_w);
        free(add_name);
        free(mul_name);
        if (rc)
            return -1;
        *changed = true;
    }
    return finn_infer_shapes(reg, m, err);
}

/* ---- MoveScalarMulPastMatMul: (x * a) W  ->  (x W) * a ----------------------- */
int sl_move_scalar_mul_past_matmul(const finn_registry *reg, finn_model *m, bool *changed,
                                   finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        finn_node *c = linear_pair(m, n, "Mul", "MatMul");
        if (!c)
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1), *w = sl_init_of(m, c, 1);
        if (!a || !w)
            continue;
        if (!sl_all_dims_one(a))
            continue;
        int64_t out_shape[FINN_MAX_DIMS];
        int out_nd = sl_shape_of(m, c->outputs[0], out_shape);
        char *mul_w = strdup(n->inputs[1]), *mm_w = strdup(c->inputs[1]);
        char *mul_name = strdup(n->name), *mm_name = strdup(c->name);
        char *middle = strdup(n->outputs[0]);
        int rc = mul_w && mm_w && mul_name && mm_name && middle
                     ? 0
                     : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        if (rc == 0)
            rc = replace_pair(m, i, n, c, "MatMul", mm_w, mm_name, "Mul", mul_w, mul_name, err);
        if (rc == 0)
            rc = sl_set_shape(m, middle, out_nd, out_shape, err);
        free(mul_w);
        free(mm_w);
        free(mul_name);
        free(mm_name);
        free(middle);
        if (rc)
            return -1;
        *changed = true;
    }
    return finn_infer_shapes(reg, m, err);
}

/* np.dot(a * ones(K), W) for a one-element a and a 2-D W (K, N).  Products
 * are float32 as numpy forms them; the sum over K is accumulated in double
 * and rounded once (BLAS' float32 summation order is unspecified). */
static finn_tensor *scalar_dot(const finn_tensor *a, const finn_tensor *w, finn_error *err)
{
    if (w->ndim != 2) {
        finn_error_set(err, FINN_ERR_UNSUPPORTED,
                       "MoveScalarAddPastMatMul: weight has %d dims (2 supported)", w->ndim);
        return NULL;
    }
    int64_t k = w->shape[0], nout = w->shape[1];
    int64_t shape[FINN_MAX_DIMS];
    int nd = a->ndim <= 1 ? 1 : a->ndim;
    for (int d = 0; d < nd; d++)
        shape[d] = 1;
    shape[nd - 1] = nout;
    finn_tensor *r = finn_tensor_new(FINN_ELEM_FLOAT, nd, shape, err);
    if (!r)
        return NULL;
    float av = (float)finn_tensor_get(a, 0);
    for (int64_t j = 0; j < nout; j++) {
        double acc = 0;
        for (int64_t i = 0; i < k; i++)
            acc += (double)(av * (float)finn_tensor_get(w, (size_t)(i * nout + j)));
        ((float *)r->data)[j] = (float)acc;
    }
    return r;
}

/* ---- MoveScalarAddPastMatMul: (x + a) W  ->  x W + a 1^T W -------------------- */
int sl_move_scalar_add_past_matmul(const finn_registry *reg, finn_model *m, bool *changed,
                                   finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        finn_node *c = linear_pair(m, n, "Add", "MatMul");
        if (!c)
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1), *w = sl_init_of(m, c, 1);
        if (!a || !w)
            continue;
        if (!sl_all_dims_one(a))
            continue;
        int64_t out_shape[FINN_MAX_DIMS];
        int out_nd = sl_shape_of(m, c->outputs[0], out_shape);
        finn_tensor *anew = scalar_dot(a, w, err);
        if (!anew)
            return -1;
        char *add_w = strdup(n->inputs[1]), *mm_w = strdup(c->inputs[1]);
        char *add_name = strdup(n->name), *mm_name = strdup(c->name);
        char *middle = strdup(n->outputs[0]);
        int rc = add_w && mm_w && add_name && mm_name && middle
                     ? 0
                     : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        if (rc == 0) {
            rc = sl_set_init(m, add_w, anew, err);
            anew = NULL;
        }
        if (rc == 0)
            rc = replace_pair(m, i, n, c, "MatMul", mm_w, mm_name, "Add", add_w, add_name, err);
        if (rc == 0)
            rc = sl_set_shape(m, middle, out_nd, out_shape, err);
        finn_tensor_free(anew);
        free(add_w);
        free(mm_w);
        free(add_name);
        free(mm_name);
        free(middle);
        if (rc)
            return -1;
        *changed = true;
    }
    return finn_infer_shapes(reg, m, err);
}

/* ---- MoveScalarLinearPastInvariants: f(x op c) -> f(x) op c --------------------- */

static int is_invariant(const finn_node *n, bool *yes, finn_error *err)
{
    *yes = false;
    if (is_op(n, "Upsample") || is_op(n, "Resize")) {
        const char *mode = finn_node_attr_s(n, "mode", NULL);
        if (!mode)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "MoveScalarLinearPastInvariants: %s node '%s' has no mode "
                                  "attribute",
                                  n->op_type, n->name);
        *yes = !strcmp(mode, "nearest");
        return 0;
    }
    *yes = is_op(n, "GlobalAveragePool") || is_op(n, "Reshape") || is_op(n, "Transpose") ||
           is_op(n, "Flatten");
    return 0;
}

/* Swap f (= n) and its producer p; pos is where FINN re-inserts p. */
static int swap_past(finn_model *m, finn_node *n, finn_node *p, size_t pos, finn_error *err)
{
    const finn_tensor *c = sl_init_of(m, p, 1);
    if (c->ndim > 0) {
        finn_tensor *flat = sl_reshaped(c, 0, NULL, err);
        if (sl_set_init(m, p->inputs[1], flat, err))
            return -1;
    }
    char *p_in = strdup(p->inputs[0]), *p_out = strdup(p->outputs[0]);
    char *n_out = strdup(n->outputs[0]);
    int rc = p_in && p_out && n_out ? 0 : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    finn_datatype odt = finn_model_datatype(m, p_out ? p_out : "");
    int64_t in_shape[FINN_MAX_DIMS], out_shape[FINN_MAX_DIMS];
    int in_nd = rc == 0 ? sl_shape_of(m, n->inputs[0], in_shape) : -1;
    int out_nd = rc == 0 ? sl_shape_of(m, n->outputs[0], out_shape) : -1;
    if (rc == 0)
        rc = finn_node_set_input(n, 0, p_in, err) || finn_node_set_output(n, 0, p_out, err) ||
                     finn_node_set_input(p, 0, p_out, err) ||
                     finn_node_set_output(p, 0, n_out, err)
                 ? -1
                 : 0;
    if (rc == 0)
        rc = sl_set_shape(m, p_in, in_nd, in_shape, err) ||
                     sl_set_shape(m, p_out, out_nd, out_shape, err) ||
                     sl_set_shape(m, n_out, out_nd, out_shape, err) ||
                     sl_set_dt(m, n_out, odt, err) || sl_set_dt(m, p_out, finn_dt_float32(), err)
                 ? -1
                 : 0;
    if (rc == 0)
        rc = sl_move(m, p, pos, err);
    free(p_in);
    free(p_out);
    free(n_out);
    return rc;
}

int sl_move_scalar_linear_past_invariants(const finn_registry *reg, finn_model *m, bool *changed,
                                          finn_error *err)
{
    *changed = false;
    /* FINN walks a snapshot of the node list but inserts by its position */
    size_t count = m->n_nodes;
    finn_node **nodes = malloc((count ? count : 1) * sizeof *nodes);
    if (!nodes)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    memcpy(nodes, m->nodes, count * sizeof *nodes);
    int rc = 0;
    for (size_t i = 0; i < count && rc == 0; i++) {
        finn_node *n = nodes[i];
        bool inv;
        if ((rc = is_invariant(n, &inv, err)) != 0 || !inv)
            continue;
        finn_node *p = n->n_inputs ? sl_producer(m, n->inputs[0]) : NULL;
        if (!p || !(is_op(p, "Mul") || is_op(p, "Add") || is_op(p, "Div")))
            continue;
        const finn_tensor *c = sl_init_of(m, p, 1);
        if (!c || finn_tensor_numel(c) != 1)
            continue;
        rc = swap_past(m, n, p, i, err);
        *changed = rc == 0;
    }
    free(nodes);
    if (rc)
        return -1;
    if (*changed && (finn_infer_shapes(reg, m, err) || finn_infer_datatypes(reg, m, err)))
        return -1;
    return 0;
}
