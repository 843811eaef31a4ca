/*
 * qonnx_common.c - helpers shared by the QONNX general custom ops.
 */
#include "qonnx_common.h"

#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int qo_fail(finn_error *err, const finn_node *n, finn_errcode code, const char *fmt, ...)
{
    char msg[FINN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return finn_error_set(err, code, "node '%s' (%s): %s", n->name ? n->name : "",
                          n->op_type, msg);
}

finn_tensor *qo_input(const finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_error *err)
{
    const char *name = finn_node_input(n, k);
    if (!name) {
        qo_fail(err, n, FINN_ERR_INVALID, "input %zu is required", k);
        return NULL;
    }
    finn_tensor *t = finn_exec_ctx_get(ctx, name);
    if (!t)
        qo_fail(err, n, FINN_ERR_NOT_FOUND, "input '%s' has no value", name);
    return t;
}

int qo_floats_get(const finn_tensor *t, qo_floats *out, finn_error *err)
{
    out->v = NULL;
    out->owned = NULL;
    if (t->type == FINN_ELEM_FLOAT) {
        out->v = t->data;
        return 0;
    }
    size_t count = finn_tensor_numel(t);
    out->owned = malloc((count ? count : 1) * sizeof(float));
    if (!out->owned)
        return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < count; i++)
        out->owned[i] = (float)finn_tensor_get(t, i);
    out->v = out->owned;
    return 0;
}

void qo_floats_release(qo_floats *f)
{
    free(f->owned);
    f->owned = NULL;
    f->v = NULL;
}

int qo_bcast_init(finn_bcast *b, const finn_tensor *const *ts, size_t count, const finn_node *n,
                  finn_error *err)
{
    if (finn_bcast_init(b, count, ts, err))
        return finn_error_prefix(err, "node '%s' (%s): ", n->name ? n->name : "", n->op_type);
    return 0;
}

static const struct {
    const char *name;
    qo_round mode;
} ROUNDING[] = {
    {"ROUND", QO_ROUND_HALF_EVEN}, {"HALF_EVEN", QO_ROUND_HALF_EVEN},
    {"CEIL", QO_ROUND_CEIL},       {"FLOOR", QO_ROUND_FLOOR},
    {"UP", QO_ROUND_UP},           {"DOWN", QO_ROUND_DOWN},
    {"HALF_UP", QO_ROUND_HALF_UP}, {"HALF_DOWN", QO_ROUND_HALF_DOWN},
};

int qo_rounding_parse(const char *name, qo_round *out, const finn_node *n, finn_error *err)
{
    char up[32];
    size_t len = strlen(name);
    if (len < sizeof up) {
        for (size_t i = 0; i <= len; i++)
            up[i] = (char)toupper((unsigned char)name[i]);
        for (size_t i = 0; i < sizeof ROUNDING / sizeof ROUNDING[0]; i++)
            if (!strcmp(up, ROUNDING[i].name)) {
                *out = ROUNDING[i].mode;
                return 0;
            }
    }
    return qo_fail(err, n, FINN_ERR_INVALID,
                   "unknown rounding_mode '%s' (ROUND, HALF_EVEN, CEIL, FLOOR, UP, DOWN, "
                   "HALF_UP, HALF_DOWN)",
                   name);
}

float qo_round_half_even(float x)
{
    return nearbyintf(x); /* default FE_TONEAREST: ties to even, as np.round */
}

/* np.sign: +1, -1, 0 for both zeros, NaN for NaN. */
static float np_sign(float x)
{
    if (x > 0.0f)
        return 1.0f;
    if (x < 0.0f)
        return -1.0f;
    return x == 0.0f ? 0.0f : x;
}

float qo_round_apply(qo_round mode, float x)
{
    /* the sign(x) * f(|x|) forms are evaluated as numpy does, in float32,
     * so |x| + 0.5 rounds the same way */
    switch (mode) {
    case QO_ROUND_HALF_EVEN: return qo_round_half_even(x);
    case QO_ROUND_CEIL: return ceilf(x);
    case QO_ROUND_FLOOR: return floorf(x);
    case QO_ROUND_UP: return np_sign(x) * ceilf(fabsf(x));
    case QO_ROUND_DOWN: return truncf(x);
    case QO_ROUND_HALF_UP: return np_sign(x) * floorf(fabsf(x) + 0.5f);
    case QO_ROUND_HALF_DOWN: return np_sign(x) * ceilf(fabsf(x) - 0.5f);
    }
    return x;
}

double qo_min_int(int is_signed, int narrow, double bits)
{
    if (!is_signed)
        return 0.0;
    return narrow ? -pow(2.0, bits - 1) + 1.0 : -pow(2.0, bits - 1);
}

double qo_max_int(int is_signed, int narrow, double bits)
{
    if (!is_signed)
        return narrow ? pow(2.0, bits) - 2.0 : pow(2.0, bits) - 1.0;
    return pow(2.0, bits - 1) - 1.0;
}

int64_t qo_op_version(const finn_model *m, const finn_node *n)
{
    int64_t v = finn_model_opset(m, n->domain);
    return v >= 1 ? v : 1;
}

const finn_value *qo_known_input(const finn_model *m, const finn_node *n, size_t k,
                                 finn_error *err)
{
    const char *name = finn_node_input(n, k);
    if (!name) {
        qo_fail(err, n, FINN_ERR_INVALID, "input %zu is required", k);
        return NULL;
    }
    const finn_value *v = finn_model_value(m, name);
    if (!v || v->ndim < 0) {
        qo_fail(err, n, FINN_ERR_INVALID, "shape of input '%s' is unknown", name);
        return NULL;
    }
    return v;
}

static int need_output(const finn_node *n, finn_error *err)
{
    if (n->n_outputs < 1 || !n->outputs[0][0])
        return qo_fail(err, n, FINN_ERR_INVALID, "output 0 is required");
    return 0;
}

int qo_shape_like_input(finn_model *m, finn_node *n, finn_elem_type elem, finn_error *err)
{
    const finn_value *in = qo_known_input(m, n, 0, err);
    if (!in || need_output(n, err))
        return -1;
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, in->shape, sizeof shape);
    if (elem == FINN_ELEM_UNDEFINED)
        elem = in->elem;
    return finn_model_set_shape(m, n->outputs[0], elem, in->ndim, shape, err);
}

int qo_shapes_identity(finn_model *m, finn_node *n, finn_error *err)
{
    return qo_shape_like_input(m, n, FINN_ELEM_UNDEFINED, err);
}

int qo_datatype_like_input(finn_model *m, finn_node *n, finn_error *err)
{
    const char *in = finn_node_input(n, 0);
    if (!in)
        return qo_fail(err, n, FINN_ERR_INVALID, "input 0 is required");
    if (need_output(n, err))
        return -1;
    return finn_model_set_datatype(m, n->outputs[0], finn_model_datatype(m, in), err);
}

int qo_set_datatype_name(finn_model *m, const finn_node *n, size_t k, const char *name,
                         finn_error *err)
{
    finn_datatype dt;
    if (k >= n->n_outputs || !n->outputs[k][0])
        return qo_fail(err, n, FINN_ERR_INVALID, "output %zu is required", k);
    if (finn_dt_parse(name, &dt, err))
        return finn_error_prefix(err, "node '%s' (%s): ", n->name, n->op_type);
    return finn_model_set_datatype(m, n->outputs[k], dt, err);
}

int qo_all_equal(const finn_tensor *t, double v)
{
    size_t count = finn_tensor_numel(t);
    for (size_t i = 0; i < count; i++)
        if (finn_tensor_get(t, i) != v)
            return 0;
    return 1;
}

static finn_tensor *output_new(finn_exec_ctx *ctx, const finn_node *n, size_t k,
                               finn_elem_type type, int ndim, const int64_t *shape, bool zero,
                               finn_error *err)
{
    if (k >= n->n_outputs || !n->outputs[k][0]) {
        qo_fail(err, n, FINN_ERR_INVALID, "output %zu is required", k);
        return NULL;
    }
    finn_tensor *t = zero ? finn_tensor_new(type, ndim, shape, err)
                          : finn_tensor_new_uninit(type, ndim, shape, err);
    if (!t || finn_exec_ctx_set(ctx, n->outputs[k], t, err))
        return NULL;
    return t;
}

finn_tensor *qo_output_new(finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_elem_type type,
                           int ndim, const int64_t *shape, finn_error *err)
{
    return output_new(ctx, n, k, type, ndim, shape, true, err);
}

finn_tensor *qo_output_new_uninit(finn_exec_ctx *ctx, const finn_node *n, size_t k,
                                  finn_elem_type type, int ndim, const int64_t *shape,
                                  finn_error *err)
{
    return output_new(ctx, n, k, type, ndim, shape, false, err);
}
