/*
 * softmax.c - Softmax.  From opset 13 it normalizes along one axis
 * (default -1).  Before 13 the input is coerced to 2-D at `axis` (default
 * 1): rows = prod(dims[:axis]), each row of prod(dims[axis:]) elements is
 * normalized as a whole.
 *
 * Computed in double as exp(x - rowmax) / sum, rounded once to the element
 * type; onnxruntime's float32 kernel may differ in the last ulp.
 */
#include "onnx_math.h"

#include <math.h>
#include <stdlib.h>

static void softmax_block(const finn_tensor *x, finn_tensor *y, size_t base, size_t len,
                          size_t step, double *tmp)
{
    double mx = -INFINITY, sum = 0.0;
    for (size_t j = 0; j < len; j++) {
        tmp[j] = finn_tensor_get(x, base + j * step);
        if (tmp[j] > mx)
            mx = tmp[j];
    }
    for (size_t j = 0; j < len; j++) {
        tmp[j] = exp(tmp[j] - mx);
        sum += tmp[j];
    }
    for (size_t j = 0; j < len; j++)
        finn_tensor_set(y, base + j * step, tmp[j] / sum);
}

int om_exec_softmax(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    if (!x)
        return -1;
    if (!om_is_float(x->type))
        return finn_error_set(err, FINN_ERR_INVALID, "Softmax needs a float input, got %s",
                              finn_elem_name(x->type));
    bool coerce = om_opset(m) < 13;
    int axis;
    if (om_axis(finn_node_attr_i(n, "axis", coerce ? 1 : -1), x->ndim, &axis, "Softmax axis",
                err))
        return -1;
    size_t outer = 1, len = 1, inner = 1;
    for (int d = 0; d < x->ndim; d++) {
        size_t dim = (size_t)x->shape[d];
        if (d < axis)
            outer *= dim;
        else if (d == axis || coerce)
            len *= dim;
        else
            inner *= dim;
    }
    finn_tensor *y = finn_tensor_new(x->type, x->ndim, x->shape, err);
    double *tmp = y ? om_malloc(len * sizeof *tmp, err) : NULL;
    if (!tmp) {
        finn_tensor_free(y);
        return -1;
    }
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++)
            softmax_block(x, y, o * len * inner + i, len, inner, tmp);
    free(tmp);
    return om_set_output(ctx, n, 0, y, err);
}
