/*
 * misc.c - DebugMarker and XnorPopcountMatMul (finn-frontend.md 3.9).
 *
 * DebugMarker: identity; the input is also stored under the tensor name in
 * attribute export_debug_name, which gets the input's datatype.
 * XnorPopcountMatMul: A (..., M, K) and B (K, N), both BINARY;
 * out = ((2A-1) @ (2B-1) + K) / 2, the number of agreeing bits; UINT32.
 */
#include "qonnx_common.h"

#include <string.h>

static const char *debug_name(const finn_node *n, finn_error *err)
{
    const char *name = finn_node_attr_s(n, "export_debug_name", NULL);
    if (!name || !name[0])
        qo_fail(err, n, FINN_ERR_INVALID, "attribute 'export_debug_name' is required");
    return name && name[0] ? name : NULL;
}

static int debug_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                      finn_error *err)
{
    (void)m;
    const finn_tensor *x = qo_input(ctx, n, 0, err);
    const char *dname = x ? debug_name(n, err) : NULL;
    if (!dname)
        return -1;
    if (n->n_outputs < 1 || !n->outputs[0][0])
        return qo_fail(err, n, FINN_ERR_INVALID, "output 0 is required");
    finn_tensor *y = finn_tensor_copy(x, err);
    if (!y || finn_exec_ctx_set(ctx, n->outputs[0], y, err))
        return -1;
    finn_tensor *d = finn_tensor_copy(x, err);
    if (!d || finn_exec_ctx_set(ctx, dname, d, err))
        return -1;
    return 0;
}

static int debug_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    const char *dname = debug_name(n, err);
    if (!dname || qo_datatype_like_input(m, n, err))
        return -1;
    return finn_model_set_datatype(m, dname, finn_model_datatype(m, n->inputs[0]), err);
}

/* ---- XnorPopcountMatMul ------------------------------------------------ */

static int xnor_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *a = qo_known_input(m, n, 0, err);
    const finn_value *b = a ? qo_known_input(m, n, 1, err) : NULL;
    if (!b)
        return -1;
    if (a->ndim < 1 || b->ndim != 2 || a->shape[a->ndim - 1] != b->shape[0])
        return qo_fail(err, n, FINN_ERR_INVALID,
                       "operands do not multiply: need (..., K) and (K, N)");
    int64_t os[FINN_MAX_DIMS];
    memcpy(os, a->shape, sizeof os);
    os[a->ndim - 1] = b->shape[1];
    return finn_model_set_shape(m, n->outputs[0], a->elem, a->ndim, os, err);
}

static int xnor_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                     finn_error *err)
{
    (void)m;
    const finn_tensor *a = qo_input(ctx, n, 0, err);
    const finn_tensor *b = a ? qo_input(ctx, n, 1, err) : NULL;
    if (!b)
        return -1;
    if (a->ndim < 1 || b->ndim != 2 || a->shape[a->ndim - 1] != b->shape[0])
        return qo_fail(err, n, FINN_ERR_INVALID,
                       "operands do not multiply: need (..., K) and (K, N)");
    size_t kdim = (size_t)b->shape[0], ncols = (size_t)b->shape[1];
    size_t rows = kdim ? finn_tensor_numel(a) / kdim : 0;
    int64_t os[FINN_MAX_DIMS];
    memcpy(os, a->shape, sizeof os);
    os[a->ndim - 1] = (int64_t)ncols;
    qo_floats av = {0}, bv = {0};
    int rc = -1;
    if (qo_floats_get(a, &av, err) || qo_floats_get(b, &bv, err))
        goto out;
    finn_tensor *y = qo_output_new(ctx, n, 0, FINN_ELEM_FLOAT, a->ndim, os, err);
    if (!y)
        goto out;
    float *yv = y->data;
    for (size_t r = 0; r < rows; r++)
        for (size_t c = 0; c < ncols; c++) {
            /* bipolar dot product; exact in float for +-1 operands */
            float dot = 0.0f;
            for (size_t k = 0; k < kdim; k++)
                dot += (2.0f * av.v[r * kdim + k] - 1.0f) * (2.0f * bv.v[k * ncols + c] - 1.0f);
            yv[r * ncols + c] = (dot + (float)kdim) * 0.5f;
        }
    rc = 0;
out:
    qo_floats_release(&av);
    qo_floats_release(&bv);
    return rc;
}

static int xnor_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    for (size_t k = 0; k < 2; k++) {
        const char *in = finn_node_input(n, k);
        if (!in || !finn_dt_equal(finn_model_datatype(m, in), finn_dt_binary()))
            return qo_fail(err, n, FINN_ERR_INVALID, "input %zu must be annotated BINARY", k);
    }
    return qo_set_datatype_name(m, n, 0, "UINT32", err);
}

const finn_op qo_misc_ops[] = {
    {QONNX_DOMAIN, "DebugMarker", qo_shapes_identity, debug_datatypes, debug_exec, NULL},
    {QONNX_DOMAIN, "XnorPopcountMatMul", xnor_shapes, xnor_datatypes, xnor_exec, NULL},
};
const size_t qo_misc_ops_count = sizeof qo_misc_ops / sizeof qo_misc_ops[0];
