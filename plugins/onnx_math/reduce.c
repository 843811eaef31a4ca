/*
 * reduce.c - ReduceMean, ReduceMax, ReduceSum.
 *
 * Axes: the `axes` attribute, or input 1 for ReduceSum from opset 13 and
 * for ReduceMean/ReduceMax from opset 18.  No/empty axes reduce everything
 * unless noop_with_empty_axes=1 (then the op is the identity).  keepdims
 * (default 1) keeps reduced dims as 1.
 *
 * Floats accumulate in double and are rounded once; integers accumulate in
 * int64 and ReduceMean divides with truncation (onnxruntime's sum / N in
 * the element type).
 */
#include "onnx_math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

enum red { RED_SUM, RED_MEAN, RED_MAX };

/* Reduced-axis mask from the attribute or the axes input (tensor or the
 * model's initializer).  *noop is set for an empty list with
 * noop_with_empty_axes. */
static bool axes_from_input(const char *op, int64_t opset)
{
    return !strcmp(op, "ReduceSum") ? opset >= 13 : opset >= 18;
}

static int reduce_mask(const finn_node *n, int64_t opset, const char *op, int rank,
                       const finn_tensor *axes_in, bool *mask, bool *noop, finn_error *err)
{
    bool from_input = axes_from_input(op, opset);
    const int64_t *attr = NULL;
    size_t count = from_input ? (axes_in ? finn_tensor_numel(axes_in) : 0)
                              : finn_node_attr_ints(n, "axes", &attr);
    memset(mask, 0, (size_t)FINN_MAX_DIMS * sizeof *mask);
    *noop = false;
    if (count == 0) {
        if (finn_node_attr_i(n, "noop_with_empty_axes", 0)) {
            *noop = true;
            return 0;
        }
        for (int d = 0; d < rank; d++)
            mask[d] = true;
        return 0;
    }
    for (size_t k = 0; k < count; k++) {
        int64_t a = from_input ? om_get_i64(axes_in, k) : attr[k];
        int d;
        if (om_axis(a, rank, &d, "reduce axis", err))
            return -1;
        if (mask[d])
            return finn_error_set(err, FINN_ERR_INVALID, "reduce axis %lld is repeated",
                                  (long long)a);
        mask[d] = true;
    }
    return 0;
}

static int out_shape(int rank, const int64_t *shape, const bool *mask, bool keep, int *ond,
                     int64_t *oshape)
{
    int k = 0;
    for (int d = 0; d < rank; d++) {
        if (!mask[d])
            oshape[k++] = shape[d];
        else if (keep)
            oshape[k++] = 1;
    }
    *ond = k;
    return 0;
}

int om_shape_reduce(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *v = om_need_shape(m, n, 0, err);
    if (!v)
        return -1;
    const char *axes_name =
        axes_from_input(n->op_type, om_opset(m)) ? finn_node_input(n, 1) : NULL;
    const finn_tensor *axes = axes_name ? finn_model_initializer(m, axes_name) : NULL;
    if (axes_name && !axes)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "axes input '%s' is not an initializer: shape unknown", axes_name);
    bool mask[FINN_MAX_DIMS], noop;
    if (reduce_mask(n, om_opset(m), n->op_type, v->ndim, axes, mask, &noop, err))
        return -1;
    int nd = v->ndim;
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, v->shape, sizeof shape);
    if (!noop)
        out_shape(v->ndim, v->shape, mask, finn_node_attr_i(n, "keepdims", 1) != 0, &nd, shape);
    return finn_model_set_shape(m, n->outputs[0], v->elem, nd, shape, err);
}

/* Output flat index of each input element: per-dim strides of the output,
 * 0 on reduced dims. */
static void out_strides(const finn_tensor *x, const bool *mask, size_t *ostride)
{
    size_t s = 1;
    for (int d = x->ndim - 1; d >= 0; d--) {
        ostride[d] = mask[d] ? 0 : s;
        if (!mask[d])
            s *= (size_t)x->shape[d];
    }
}

static size_t out_index(const finn_tensor *x, const size_t *ostride, size_t i)
{
    size_t o = 0;
    for (int d = x->ndim - 1; d >= 0; d--) {
        size_t dim = (size_t)x->shape[d];
        o += (i % dim) * ostride[d];
        i /= dim;
    }
    return o;
}

static void reduce_float(enum red r, const finn_tensor *x, const size_t *ostride, size_t count,
                         finn_tensor *y, double *acc)
{
    size_t ny = finn_tensor_numel(y);
    for (size_t o = 0; o < ny; o++)
        acc[o] = r == RED_MAX ? -INFINITY : 0.0;
    for (size_t i = 0, nx = finn_tensor_numel(x); i < nx; i++) {
        size_t o = out_index(x, ostride, i);
        double v = finn_tensor_get(x, i);
        if (r != RED_MAX)
            acc[o] += v;
        else if (isnan(v) || v > acc[o])
            acc[o] = isnan(acc[o]) ? acc[o] : v; /* NaN propagates */
    }
    for (size_t o = 0; o < ny; o++)
        finn_tensor_set(y, o, r == RED_MEAN ? acc[o] / (double)count : acc[o]);
}

static void reduce_int(enum red r, const finn_tensor *x, const size_t *ostride, size_t count,
                       finn_tensor *y, int64_t *acc, bool *seen)
{
    size_t ny = finn_tensor_numel(y);
    bool u = om_is_unsigned(x->type);
    for (size_t o = 0; o < ny; o++)
        acc[o] = 0, seen[o] = false;
    for (size_t i = 0, nx = finn_tensor_numel(x); i < nx; i++) {
        size_t o = out_index(x, ostride, i);
        int64_t v = om_get_i64(x, i);
        if (r != RED_MAX)
            acc[o] = (int64_t)((uint64_t)acc[o] + (uint64_t)v);
        else if (!seen[o] || (u ? (uint64_t)v > (uint64_t)acc[o] : v > acc[o]))
            acc[o] = v;
        seen[o] = true;
    }
    for (size_t o = 0; o < ny; o++) {
        int64_t v = acc[o];
        if (r == RED_MEAN)
            v = u ? (int64_t)((uint64_t)v / count) : v / (int64_t)count;
        om_set_i64(y, o, v);
    }
}

static int exec_reduce(enum red r, const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                       finn_error *err)
{
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    if (!x)
        return -1;
    bool mask[FINN_MAX_DIMS], noop;
    if (reduce_mask(n, om_opset(m), n->op_type, x->ndim, om_input(ctx, n, 1), mask, &noop, err))
        return -1;
    if (noop) {
        finn_tensor *c = finn_tensor_copy(x, err);
        return c ? om_set_output(ctx, n, 0, c, err) : -1;
    }
    int nd;
    int64_t shape[FINN_MAX_DIMS];
    size_t ostride[FINN_MAX_DIMS], count = 1;
    out_shape(x->ndim, x->shape, mask, finn_node_attr_i(n, "keepdims", 1) != 0, &nd, shape);
    out_strides(x, mask, ostride);
    for (int d = 0; d < x->ndim; d++)
        count *= mask[d] ? (size_t)x->shape[d] : 1;
    bool fl = om_is_float(x->type);
    if (count == 0 && (r == RED_MEAN || (r == RED_MAX && !fl)))
        return finn_error_set(err, FINN_ERR_INVALID, "%s over an empty axis", n->op_type);
    finn_tensor *y = finn_tensor_new(x->type, nd, shape, err);
    size_t ny = y ? finn_tensor_numel(y) : 0;
    void *acc = y ? om_malloc(ny * (sizeof(double) + sizeof(bool)), err) : NULL;
    if (!acc) {
        finn_tensor_free(y);
        return -1;
    }
    if (fl)
        reduce_float(r, x, ostride, count, y, acc);
    else
        reduce_int(r, x, ostride, count, y, acc, (bool *)((int64_t *)acc + ny));
    free(acc);
    return om_set_output(ctx, n, 0, y, err);
}

#define RED_EXEC(fn, r)                                                                  \
    int fn(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err) \
    {                                                                                    \
        return exec_reduce(r, m, n, ctx, err);                                           \
    }
RED_EXEC(om_exec_reduce_mean, RED_MEAN)
RED_EXEC(om_exec_reduce_max, RED_MAX)
RED_EXEC(om_exec_reduce_sum, RED_SUM)
