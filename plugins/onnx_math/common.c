/*
 * common.c - helpers shared by the onnx_math op files: typed element
 * access, input/output plumbing, axis normalization.
 */
#include "onnx_math.h"

#include <stdlib.h>
#include <string.h>

void *om_malloc(size_t n, finn_error *err)
{
    void *p = malloc(n ? n : 1);
    if (!p)
        finn_error_set(err, FINN_ERR_NOMEM, "onnx_math: out of memory (%zu bytes)", n);
    return p;
}

bool om_is_float(finn_elem_type t)
{
    return t == FINN_ELEM_FLOAT || t == FINN_ELEM_DOUBLE || t == FINN_ELEM_FLOAT16;
}

bool om_is_unsigned(finn_elem_type t)
{
    return t == FINN_ELEM_UINT8 || t == FINN_ELEM_UINT16 || t == FINN_ELEM_UINT32 ||
           t == FINN_ELEM_UINT64 || t == FINN_ELEM_BOOL;
}

int64_t om_get_i64(const finn_tensor *t, size_t i)
{
    const unsigned char *p = (const unsigned char *)t->data + i * finn_elem_size(t->type);
    switch (t->type) {
    case FINN_ELEM_INT8: { int8_t v; memcpy(&v, p, 1); return v; }
    case FINN_ELEM_INT16: { int16_t v; memcpy(&v, p, 2); return v; }
    case FINN_ELEM_INT32: { int32_t v; memcpy(&v, p, 4); return v; }
    case FINN_ELEM_INT64: { int64_t v; memcpy(&v, p, 8); return v; }
    case FINN_ELEM_UINT8: return p[0];
    case FINN_ELEM_BOOL: return p[0] != 0;
    case FINN_ELEM_UINT16: { uint16_t v; memcpy(&v, p, 2); return v; }
    case FINN_ELEM_UINT32: { uint32_t v; memcpy(&v, p, 4); return v; }
    case FINN_ELEM_UINT64: { uint64_t v; memcpy(&v, p, 8); return (int64_t)v; }
    default:
        return (int64_t)finn_tensor_get(t, i);
    }
}

void om_set_i64(finn_tensor *t, size_t i, int64_t v)
{
    unsigned char *p = (unsigned char *)t->data + i * finn_elem_size(t->type);
    uint64_t u = (uint64_t)v;
    switch (t->type) {
    case FINN_ELEM_INT8: case FINN_ELEM_UINT8: p[0] = (unsigned char)u; break;
    case FINN_ELEM_BOOL: p[0] = v != 0; break;
    case FINN_ELEM_INT16: case FINN_ELEM_UINT16: { uint16_t w = (uint16_t)u; memcpy(p, &w, 2); break; }
    case FINN_ELEM_INT32: case FINN_ELEM_UINT32: { uint32_t w = (uint32_t)u; memcpy(p, &w, 4); break; }
    case FINN_ELEM_INT64: case FINN_ELEM_UINT64: memcpy(p, &u, 8); break;
    default:
        finn_tensor_set(t, i, (double)v);
    }
}

const finn_tensor *om_input(const finn_exec_ctx *ctx, const finn_node *n, size_t k)
{
    if (k >= n->n_inputs || !n->inputs[k][0])
        return NULL;
    return finn_exec_ctx_get(ctx, n->inputs[k]);
}

const finn_tensor *om_need_input(const finn_exec_ctx *ctx, const finn_node *n, size_t k,
                                 finn_error *err)
{
    const finn_tensor *t = om_input(ctx, n, k);
    if (!t)
        finn_error_set(err, FINN_ERR_INVALID, "required input %zu is missing", k);
    return t;
}

int om_set_output(finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_tensor *t,
                  finn_error *err)
{
    if (k >= n->n_outputs || !n->outputs[k][0]) {
        finn_tensor_free(t); /* optional output not requested */
        return 0;
    }
    return finn_exec_ctx_set(ctx, n->outputs[k], t, err);
}

const finn_value *om_value(const finn_model *m, const finn_node *n, size_t k)
{
    const char *name = finn_node_input(n, k);
    return name ? finn_model_value(m, name) : NULL;
}

const finn_value *om_need_shape(const finn_model *m, const finn_node *n, size_t k,
                                finn_error *err)
{
    const char *name = finn_node_input(n, k);
    const finn_value *v = name ? finn_model_value(m, name) : NULL;
    if (!v || v->ndim < 0) {
        finn_error_set(err, FINN_ERR_INVALID, "shape of input %zu '%s' is unknown", k,
                       name ? name : "");
        return NULL;
    }
    return v;
}

int om_axis(int64_t axis, int rank, int *out, const char *what, finn_error *err)
{
    if (axis < -(int64_t)rank || axis >= rank)
        return finn_error_set(err, FINN_ERR_INVALID, "%s %lld is out of range for rank %d", what,
                              (long long)axis, rank);
    *out = (int)(axis < 0 ? axis + rank : axis);
    return 0;
}

int64_t om_opset(const finn_model *m)
{
    int64_t v = finn_model_opset(m, "");
    return v > 0 ? v : 13; /* no import: treat as a current opset */
}

int om_shape_same(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *v = om_need_shape(m, n, 0, err);
    if (!v || n->n_outputs < 1)
        return v ? 0 : -1;
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, v->shape, sizeof shape); /* v may move when the output is added */
    finn_elem_type elem = v->elem;
    return finn_model_set_shape(m, n->outputs[0], elem, v->ndim, shape, err);
}
