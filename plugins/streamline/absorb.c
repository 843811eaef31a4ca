/*
 * absorb.c - FINN's absorb.py rewrites that fold constant Add/Mul nodes
 * into a neighbour: AbsorbSignBiasIntoMultiThreshold,
 * AbsorbAddIntoMultiThreshold, AbsorbMulIntoMultiThreshold,
 * FactorOutMulSignMagnitude, Absorb1BitMulIntoMatMul, Absorb1BitMulIntoConv
 * and AbsorbScalarMulAddIntoTopK.  Where FINN asserts, we return an error
 * with the same condition.
 */
#include "sl.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static bool is_op(const finn_node *n, const char *op)
{
    return n && !strcmp(n->op_type, op);
}

static bool linear(const finn_model *m, const finn_node *n, const char *op)
{
    return is_op(n, op) && !sl_is_fork(m, n) && !sl_is_join(m, n);
}

/* scalar or a vector along exactly one axis */
static bool scalar_or_1d(const finn_tensor *a)
{
    return sl_all_dims_one(a) || sl_dims_above_one(a) == 1;
}

static int not_init(finn_error *err, const char *rw, const finn_node *n, const char *what)
{
    return finn_error_set(err, FINN_ERR_INVALID, "%s: %s of node '%s' is not an initializer", rw,
                          what, n->name);
}

/* ---- AbsorbSignBiasIntoMultiThreshold ---------------------------------------- */

/* QONNX get_smallest_possible(steps) with UINT renamed INT. */
static finn_datatype sign_bias_dtype(double steps)
{
    finn_datatype dt = finn_dt_smallest_for_value(steps);
    return dt.kind == FINN_DT_UINT ? finn_dt_int(dt.bits) : dt;
}

int sl_absorb_sign_bias_into_mt(const finn_registry *reg, finn_model *m, bool *changed,
                                finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *mt = m->nodes[i];
        if (!linear(m, mt, "MultiThreshold"))
            continue;
        finn_node *add = sl_consumer(m, mt->outputs[0]);
        if (!is_op(add, "Add"))
            continue;
        const finn_tensor *t = sl_init_of(m, mt, 1), *a = sl_init_of(m, add, 1);
        if (!a || !t || t->ndim < 1)
            continue; /* FINN warns and skips */
        if (!sl_all_dims_one(a))
            continue;
        /* numpy scalar + Python float: double; the attribute stores float */
        double bias = finn_tensor_get(a, 0) + (double)finn_node_attr_f(mt, "out_bias", 0.0f);
        if (finn_node_set_attr_f(mt, "out_bias", (float)bias, err))
            return -1;
        *changed = true;
        double steps = (double)t->shape[t->ndim - 1];
        finn_datatype odt = sign_bias_dtype(steps);
        char name[FINN_DT_NAME_MAX];
        finn_dt_name(odt, name, sizeof name);
        if (!finn_dt_allowed(odt, steps + bias) || !finn_dt_allowed(odt, bias))
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "AbsorbSignBiasIntoMultiThreshold: node '%s': could not compute "
                                  "new MultiThreshold DataType (min = %g max = %g, %s)",
                                  mt->name, bias, steps + bias, name);
        if (finn_node_set_attr_s(mt, "out_dtype", name, err))
            return -1;
        char *end = strdup(add->outputs[0]);
        if (!end)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        finn_model_remove_node(m, add);
        int rc = finn_node_set_output(mt, 0, end, err) || sl_set_dt(m, end, odt, err) ? -1 : 0;
        free(end);
        if (rc)
            return -1;
    }
    if (*changed)
        return finn_infer_datatypes(reg, m, err);
    return 0;
}

/* ---- AbsorbAdd/MulIntoMultiThreshold ------------------------------------------- */

/* T <- T op A.reshape(-1, 1); MT reads the linear node's input; the linear
 * node is removed. */
static int absorb_into_mt(finn_model *m, finn_node *n, finn_node *mt, const finn_tensor *a,
                          char op, const char *rw, finn_error *err)
{
    const finn_tensor *t = sl_init_of(m, mt, 1);
    if (!t)
        return not_init(err, rw, mt, "threshold input");
    int64_t col[2] = {-1, 1};
    finn_tensor *ac = sl_reshaped(a, 2, col, err);
    finn_tensor *tn = ac ? sl_binary(t, ac, op, err) : NULL;
    finn_tensor_free(ac);
    if (!tn || sl_set_init(m, mt->inputs[1], tn, err))
        return -1;
    char *start = strdup(n->inputs[0]);
    int rc = start ? finn_node_set_input(mt, 0, start, err)
                   : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    free(start);
    if (rc == 0)
        finn_model_remove_node(m, n);
    return rc;
}

int sl_absorb_add_into_mt(const finn_registry *reg, finn_model *m, bool *changed,
                          finn_error *err)
{
    (void)reg;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!linear(m, n, "Add"))
            continue;
        finn_node *mt = sl_consumer(m, n->outputs[0]);
        if (!is_op(mt, "MultiThreshold"))
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1);
        if (!a)
            continue; /* FINN asserts; a dynamic operand just blocks the rewrite */
        if (!sl_init_of(m, mt, 1))
            continue; /* FINN asserts; a dynamic operand just blocks the rewrite */
        if (!scalar_or_1d(a))
            continue;
        if (absorb_into_mt(m, n, mt, a, '-', "AbsorbAddIntoMultiThreshold", err))
            return -1;
        *changed = true;
    }
    return 0;
}

int sl_absorb_mul_into_mt(const finn_registry *reg, finn_model *m, bool *changed,
                          finn_error *err)
{
    (void)reg;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!linear(m, n, "Mul"))
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1);
        if (!a)
            continue; /* FINN asserts; a dynamic operand just blocks the rewrite */
        finn_node *mt = sl_consumer(m, n->outputs[0]);
        if (!is_op(mt, "MultiThreshold") || sl_any_negative(a) || !scalar_or_1d(a))
            continue;
        if (absorb_into_mt(m, n, mt, a, '/', "AbsorbMulIntoMultiThreshold", err))
            return -1;
        *changed = true;
    }
    return 0;
}

/* ---- FactorOutMulSignMagnitude ----------------------------------------------------- */

static double sign_of(double x)
{
    return x > 0 ? 1.0 : x < 0 ? -1.0 : x; /* 0 stays 0, NaN stays NaN */
}

int sl_factor_out_mul_sign_magnitude(const finn_registry *reg, finn_model *m, bool *changed,
                                     finn_error *err)
{
    (void)reg;
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!is_op(n, "Mul"))
            continue;
        const finn_tensor *a = sl_init_of(m, n, 1);
        if (!a)
            continue; /* FINN asserts; a dynamic operand just blocks the rewrite */
        bool scalar = finn_tensor_numel(a) == 1;
        bool bipolar = finn_model_datatype(m, n->inputs[1]).kind == FINN_DT_BIPOLAR;
        if (!sl_any_negative(a) || !(scalar || sl_dims_above_one(a) == 1) || bipolar)
            continue;
        int64_t shape[FINN_MAX_DIMS];
        int nd = sl_shape_of(m, n->inputs[0], shape);
        char *mid = sl_new_name(m, err);
        int rc = mid ? sl_set_shape(m, mid, nd, shape, err) : -1;
        char *sgn = rc == 0 ? sl_new_name(m, err) : NULL;
        if (!sgn)
            rc = -1;
        if (rc == 0)
            rc = sl_set_init(m, sgn, sl_map(a, sign_of, err), err);
        if (rc == 0)
            rc = sl_set_dt(m, sgn, finn_dt_bipolar(), err);
        if (rc == 0)
            rc = sl_set_init(m, n->inputs[1], sl_map(a, fabs, err), err);
        if (rc == 0)
            rc = sl_insert(m, i, sl_node("Mul", "", "", n->inputs[0], sgn, mid, err), err);
        if (rc == 0)
            rc = finn_node_set_input(n, 0, mid, err);
        free(mid);
        free(sgn);
        if (rc)
            return -1;
        *changed = true;
    }
    return 0;
}

/* ---- Absorb1BitMulIntoMatMul / Conv ----------------------------------------------------- */

static bool all_allowed(const finn_tensor *t, finn_datatype dt)
{
    return finn_tensor_find_disallowed(t, dt, 0) == finn_tensor_numel(t);
}

static bool all_sign(const finn_tensor *a)
{
    if (a->type != FINN_ELEM_FLOAT)
        return false;
    const float *v = a->data;
    for (size_t i = 0; i < finn_tensor_numel(a); i++)
        if (v[i] != 1.0f && v[i] != -1.0f)
            return false;
    return true;
}

/* The new weights A * W written over W itself, saving a weight-sized copy:
 * when A holds only +1/-1 the product can be undone exactly (multiplying
 * by A again) if its values turn out not allowed for W's type.  The model
 * owns its initializers here, so the change is the model's.  Returns 1
 * absorbed, 2 not allowed (W as before), 0 not applicable, -1 error. */
static int absorb_1bit_in_place(finn_model *m, const finn_node *n, const finn_tensor *a,
                                finn_datatype wdt, bool conv, finn_error *err)
{
    finn_value *wv = finn_model_value(m, n->inputs[1]);
    finn_tensor *w = wv ? wv->init : NULL;
    if (!w || w == a || !all_sign(a))
        return 0;
    finn_tensor *ar = NULL;
    if (conv) { /* the Mul scales output channels: A as (-1, 1, 1, 1) */
        int64_t s[4] = {-1, 1, 1, 1};
        if (!(ar = sl_reshaped(a, 4, s, err)))
            return -1;
    }
    const finn_tensor *av = ar ? ar : a;
    int rc = 0;
    if (sl_mul_into(av, w)) {
        rc = 1;
        if (!all_allowed(w, wdt)) {
            sl_mul_into(av, w); /* x * s * s == x for s = +-1 */
            rc = 2;
        } else if (finn_model_set_initializer(m, n->inputs[1], w, err)) {
            rc = -1; /* (same tensor: only the value's type and shape are set) */
        }
    }
    finn_tensor_free(ar);
    return rc;
}

static int absorb_1bit(finn_model *m, const char *op, const char *rw, bool *changed,
                       finn_error *err)
{
    *changed = false;
    bool conv = !strcmp(op, "Conv");
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!is_op(n, op))
            continue;
        const finn_tensor *w = sl_init_of(m, n, 1);
        if (!w)
            continue; /* a product of two activations (attention): nothing to absorb into */
        finn_datatype wdt = finn_model_datatype(m, n->inputs[1]);
        finn_node *c = sl_consumer(m, n->outputs[0]);
        if (!is_op(c, "Mul"))
            continue;
        const finn_tensor *a = sl_init_of(m, c, 1);
        if (!a)
            continue; /* FINN asserts; a dynamic operand just blocks the rewrite */
        if (finn_dt_bitwidth(finn_model_datatype(m, c->inputs[1])) != 1)
            continue;
        if (conv && !(finn_tensor_numel(a) == 1 || sl_dims_above_one(a) == 1))
            continue;
        int done = absorb_1bit_in_place(m, n, a, wdt, conv, err);
        if (done < 0)
            return -1;
        if (done == 2)
            continue; /* values not allowed: nothing changes */
        if (done == 1)
            goto absorbed;
        finn_tensor *wn;
        if (conv) {
            /* the Mul scales output channels: A as (-1, 1, 1, 1) */
            int64_t s[4] = {-1, 1, 1, 1};
            finn_tensor *ar = sl_reshaped(a, 4, s, err);
            wn = ar ? sl_binary(ar, w, '*', err) : NULL;
            finn_tensor_free(ar);
        } else {
            wn = sl_binary(a, w, '*', err);
        }
        if (!wn)
            return -1;
        if (!sl_shape_is(wn, w->ndim, w->shape)) {
            finn_tensor_free(wn);
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "%s: new weights of '%s' change shape", rw, n->name);
        }
        if (!all_allowed(wn, wdt)) {
            finn_tensor_free(wn);
            continue;
        }
        if (sl_set_init(m, n->inputs[1], wn, err))
            return -1;
    absorbed:;
        char *end = strdup(c->outputs[0]);
        if (!end)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        finn_model_remove_node(m, c);
        int rc = finn_node_set_output(n, 0, end, err);
        free(end);
        if (rc)
            return -1;
        *changed = true;
    }
    return 0;
}

int sl_absorb_1bit_mul_into_matmul(const finn_registry *reg, finn_model *m, bool *changed,
                                   finn_error *err)
{
    (void)reg;
    return absorb_1bit(m, "MatMul", "Absorb1BitMulIntoMatMul", changed, err);
}

int sl_absorb_1bit_mul_into_conv(const finn_registry *reg, finn_model *m, bool *changed,
                                 finn_error *err)
{
    (void)reg;
    return absorb_1bit(m, "Conv", "Absorb1BitMulIntoConv", changed, err);
}

/* ---- AbsorbScalarMulAddIntoTopK ---------------------------------------------------------- */

int sl_absorb_scalar_mul_add_into_topk(const finn_registry *reg, finn_model *m, bool *changed,
                                       finn_error *err)
{
    *changed = false;
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        if (!is_op(n, "TopK"))
            continue;
        finn_node *p = sl_producer(m, n->inputs[0]);
        if (!(is_op(p, "Mul") || is_op(p, "Add")))
            continue;
        const finn_tensor *a = sl_init_of(m, p, 1);
        if (!a)
            continue; /* FINN warns and skips */
        bool scalar = sl_all_dims_one(a);
        /* np.all-ones shape: one element, so `A > 0` is that element */
        bool pos_mul = scalar && is_op(p, "Mul") && finn_tensor_numel(a) == 1 &&
                       finn_tensor_get(a, 0) > 0;
        bool add = scalar && is_op(p, "Add");
        if (!pos_mul && !add)
            continue;
        char *in = strdup(p->inputs[0]);
        if (!in)
            return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        finn_model_remove_node(m, p);
        int rc = finn_node_set_input(n, 0, in, err) || sl_set_dt(m, in, finn_dt_float32(), err);
        free(in);
        if (rc)
            return -1;
        /* p sat before n, so (as in FINN) the node after n is not visited now */
        *changed = true;
    }
    if (*changed && (finn_infer_shapes(reg, m, err) || finn_infer_datatypes(reg, m, err)))
        return -1;
    return 0;
}
