/*
 * multithreshold.c - MultiThreshold (finn-frontend.md 3.5).
 *
 * Inputs x and thresholds T of shape (C, B) or (1, B).  The channel axis is
 * the last one when data_layout ends in 'C' (NHWC, NWC, NC), else axis 1.
 * out = out_scale * #{j : x >= T[c][j]} + out_bias, in float32 (NaN counts 0,
 * ties count, thresholds need not be sorted, B = 0 gives out_bias).
 */
#include "qonnx_common.h"

#include <math.h>
#include <string.h>

static int channels_last(const finn_node *n)
{
    const char *layout = finn_node_attr_s(n, "data_layout", "NCHW");
    size_t len = strlen(layout);
    return len > 0 && layout[len - 1] == 'C';
}

static int mt_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    const finn_tensor *x = qo_input(ctx, n, 0, err), *t = x ? qo_input(ctx, n, 1, err) : NULL;
    if (!t)
        return -1;
    int last = channels_last(n);
    int axis = last ? x->ndim - 1 : 1;
    if (axis < 0 || axis >= x->ndim)
        return qo_fail(err, n, FINN_ERR_INVALID, "input has %d dimensions, no channel axis",
                       x->ndim);
    if (t->ndim != 2)
        return qo_fail(err, n, FINN_ERR_INVALID, "thresholds must be 2-D (C, B), got %d-D",
                       t->ndim);
    int64_t ch = x->shape[axis], rows = t->shape[0], nt = t->shape[1];
    if (rows != ch && rows != 1)
        return qo_fail(err, n, FINN_ERR_INVALID,
                       "threshold rows %lld match neither the %lld channels nor 1",
                       (long long)rows, (long long)ch);
    /* inner = product of the axes after the channel axis */
    size_t inner = 1;
    for (int d = axis + 1; d < x->ndim; d++)
        inner *= (size_t)x->shape[d];
    float scale = finn_node_attr_f(n, "out_scale", 1.0f);
    float bias = finn_node_attr_f(n, "out_bias", 0.0f);
    qo_floats xv = {0}, tv = {0};
    int rc = -1;
    if (qo_floats_get(x, &xv, err) || qo_floats_get(t, &tv, err))
        goto out;
    finn_tensor *y = qo_output_new(ctx, n, 0, FINN_ELEM_FLOAT, x->ndim, x->shape, err);
    if (!y)
        goto out;
    float *yv = y->data;
    size_t count = finn_tensor_numel(x);
    for (size_t i = 0; i < count; i++) {
        size_t c = (i / inner) % (size_t)ch;
        const float *row = tv.v + (rows == 1 ? 0 : c) * (size_t)nt;
        float v = xv.v[i];
        int64_t hits = 0;
        for (int64_t j = 0; j < nt; j++)
            hits += v >= row[j];
        yv[i] = scale * (float)hits + bias;
    }
    rc = 0;
out:
    qo_floats_release(&xv);
    qo_floats_release(&tv);
    return rc;
}

/* out_dtype unless out_scale or out_bias is non-integral (then FLOAT32). */
static int mt_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    float scale = finn_node_attr_f(n, "out_scale", 1.0f);
    float bias = finn_node_attr_f(n, "out_bias", 0.0f);
    if (scale != truncf(scale) || bias != truncf(bias))
        return qo_set_datatype_name(m, n, 0, "FLOAT32", err);
    const char *odt = finn_node_attr_s(n, "out_dtype", NULL);
    if (!odt)
        return qo_fail(err, n, FINN_ERR_INVALID, "attribute 'out_dtype' is required");
    return qo_set_datatype_name(m, n, 0, odt, err);
}

const finn_op qo_multithreshold_op = {QONNX_DOMAIN, "MultiThreshold", qo_shapes_identity,
                                      mt_datatypes, mt_exec, NULL};
