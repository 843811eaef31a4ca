/*
 * misc.c - Cast (the `to` attribute, ONNX element numbers), Constant
 * (value / value_float / value_int / value_floats / value_ints) and Shape
 * (start/end from opset 15).
 */
#include "onnx_math.h"

#include <string.h>

/* ---- Cast ----------------------------------------------------------------- */

static int cast_target(const finn_node *n, finn_elem_type *to, finn_error *err)
{
    int64_t v = finn_node_attr_i(n, "to", -1);
    if (v < 0)
        return finn_error_set(err, FINN_ERR_INVALID, "Cast has no 'to' attribute");
    if (v > FINN_ELEM_UINT64 || finn_elem_size((finn_elem_type)v) == 0)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "Cast to element type %lld",
                              (long long)v);
    *to = (finn_elem_type)v;
    return 0;
}

int om_shape_cast(finn_model *m, finn_node *n, finn_error *err)
{
    finn_elem_type to = FINN_ELEM_UNDEFINED;
    const finn_value *v = om_need_shape(m, n, 0, err);
    if (!v || cast_target(n, &to, err))
        return -1;
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, v->shape, sizeof shape);
    return finn_model_set_shape(m, n->outputs[0], to, v->ndim, shape, err);
}

/* float -> int truncates toward zero (C cast, as onnxruntime's static_cast);
 * anything -> bool is "!= 0". */
int om_exec_cast(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    finn_elem_type to = FINN_ELEM_UNDEFINED;
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    if (!x || cast_target(n, &to, err))
        return -1;
    finn_tensor *y = finn_tensor_convert(x, to, err);
    return y ? om_set_output(ctx, n, 0, y, err) : -1;
}

/* ---- Constant ------------------------------------------------------------- */

static finn_tensor *constant_value(const finn_node *n, finn_error *err)
{
    const finn_attr *a;
    finn_tensor *t = NULL;
    if ((a = finn_node_attr(n, "value")) && a->type == FINN_ATTR_TENSOR && a->t)
        return finn_tensor_copy(a->t, err);
    if ((a = finn_node_attr(n, "value_float")) && a->type == FINN_ATTR_FLOAT) {
        if ((t = finn_tensor_new(FINN_ELEM_FLOAT, 0, NULL, err)))
            memcpy(t->data, &a->f, sizeof a->f);
        return t;
    }
    if ((a = finn_node_attr(n, "value_int")) && a->type == FINN_ATTR_INT) {
        if ((t = finn_tensor_new(FINN_ELEM_INT64, 0, NULL, err)))
            memcpy(t->data, &a->i, sizeof a->i);
        return t;
    }
    if ((a = finn_node_attr(n, "value_floats")) && a->type == FINN_ATTR_FLOATS) {
        int64_t len = (int64_t)a->n;
        if ((t = finn_tensor_new(FINN_ELEM_FLOAT, 1, &len, err)) && a->n)
            memcpy(t->data, a->floats, a->n * sizeof *a->floats);
        return t;
    }
    if ((a = finn_node_attr(n, "value_ints")) && a->type == FINN_ATTR_INTS) {
        int64_t len = (int64_t)a->n;
        if ((t = finn_tensor_new(FINN_ELEM_INT64, 1, &len, err)) && a->n)
            memcpy(t->data, a->ints, a->n * sizeof *a->ints);
        return t;
    }
    finn_error_set(err, FINN_ERR_UNSUPPORTED,
                   "Constant needs one of value, value_float, value_int, value_floats, "
                   "value_ints (sparse and string constants are not supported)");
    return NULL;
}

int om_shape_constant(finn_model *m, finn_node *n, finn_error *err)
{
    finn_tensor *t = constant_value(n, err);
    if (!t)
        return -1;
    int rc = finn_model_set_shape(m, n->outputs[0], t->type, t->ndim, t->shape, err);
    finn_tensor_free(t);
    return rc;
}

int om_exec_constant(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                     finn_error *err)
{
    (void)m;
    finn_tensor *t = constant_value(n, err);
    return t ? om_set_output(ctx, n, 0, t, err) : -1;
}

/* ---- Shape ---------------------------------------------------------------- */

/* [start, end) of the dims to report; clamped like Python slicing (opset 15). */
static void shape_range(const finn_model *m, const finn_node *n, int rank, int *lo, int *hi)
{
    int64_t s = 0, e = rank;
    if (om_opset(m) >= 15) {
        s = finn_node_attr_i(n, "start", 0);
        e = finn_node_attr_i(n, "end", rank);
    }
    if (s < 0)
        s += rank;
    if (e < 0)
        e += rank;
    s = s < 0 ? 0 : s > rank ? rank : s;
    e = e < 0 ? 0 : e > rank ? rank : e;
    *lo = (int)s;
    *hi = (int)(e < s ? s : e);
}

int om_shape_shape(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *v = om_need_shape(m, n, 0, err);
    if (!v)
        return -1;
    int lo, hi;
    shape_range(m, n, v->ndim, &lo, &hi);
    int64_t len = hi - lo;
    return finn_model_set_shape(m, n->outputs[0], FINN_ELEM_INT64, 1, &len, err);
}

int om_exec_shape(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    if (!x)
        return -1;
    int lo, hi;
    shape_range(m, n, x->ndim, &lo, &hi);
    int64_t len = hi - lo;
    finn_tensor *y = finn_tensor_new(FINN_ELEM_INT64, 1, &len, err);
    if (!y)
        return -1;
    if (len)
        memcpy(y->data, &x->shape[lo], (size_t)len * sizeof(int64_t));
    return om_set_output(ctx, n, 0, y, err);
}
