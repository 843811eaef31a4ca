/*
 * argmax.c - ArgMax (axis default 0, keepdims default 1,
 * select_last_index from opset 12): int64 indices of the largest element
 * along one axis; ties give the first index unless select_last_index=1.
 */
#include "onnx_math.h"

#include <string.h>

static void argmax_shape(int rank, const int64_t *shape, int axis, bool keep, int *nd,
                         int64_t *out)
{
    int k = 0;
    for (int d = 0; d < rank; d++) {
        if (d != axis)
            out[k++] = shape[d];
        else if (keep)
            out[k++] = 1;
    }
    *nd = k;
}

int om_shape_argmax(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *v = om_need_shape(m, n, 0, err);
    int axis, nd;
    if (!v || om_axis(finn_node_attr_i(n, "axis", 0), v->ndim, &axis, "ArgMax axis", err))
        return -1;
    int64_t shape[FINN_MAX_DIMS];
    argmax_shape(v->ndim, v->shape, axis, finn_node_attr_i(n, "keepdims", 1) != 0, &nd, shape);
    return finn_model_set_shape(m, n->outputs[0], FINN_ELEM_INT64, nd, shape, err);
}

/* a > b, or a == b when the later index should win */
static bool better(const finn_tensor *x, size_t a, size_t b, bool last)
{
    if (om_is_float(x->type)) {
        double va = finn_tensor_get(x, a), vb = finn_tensor_get(x, b);
        return va > vb || (last && va == vb);
    }
    int64_t va = om_get_i64(x, a), vb = om_get_i64(x, b);
    if (om_is_unsigned(x->type))
        return (uint64_t)va > (uint64_t)vb || (last && va == vb);
    return va > vb || (last && va == vb);
}

int om_exec_argmax(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    int axis, nd;
    if (!x || om_axis(finn_node_attr_i(n, "axis", 0), x->ndim, &axis, "ArgMax axis", err))
        return -1;
    if (x->shape[axis] == 0)
        return finn_error_set(err, FINN_ERR_INVALID, "ArgMax over an empty axis");
    int64_t shape[FINN_MAX_DIMS];
    argmax_shape(x->ndim, x->shape, axis, finn_node_attr_i(n, "keepdims", 1) != 0, &nd, shape);
    finn_tensor *y = finn_tensor_new(FINN_ELEM_INT64, nd, shape, err);
    if (!y)
        return -1;
    bool last = finn_node_attr_i(n, "select_last_index", 0) != 0;
    size_t outer = finn_shape_numel(axis, x->shape), len = (size_t)x->shape[axis];
    size_t inner = finn_shape_numel(x->ndim - axis - 1, x->shape + axis + 1);
    int64_t *out = y->data;
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++) {
            size_t base = o * len * inner + i, best = 0;
            for (size_t j = 1; j < len; j++)
                if (better(x, base + j * inner, base + best * inner, last))
                    best = j;
            out[o * inner + i] = (int64_t)best;
        }
    return om_set_output(ctx, n, 0, y, err);
}
