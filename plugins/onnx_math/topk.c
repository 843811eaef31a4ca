/*
 * topk.c - TopK: k as attribute before opset 10, as input (1-element
 * int64 tensor) from 10; axis (default -1); largest and sorted (opset 11,
 * default 1).  Outputs values (input type) and int64 indices.
 *
 * Order: by value (descending for largest, ascending otherwise), ties by
 * the lower index first, as onnxruntime.  NaN counts as larger than any
 * number.  sorted=0 also returns the sorted order (the spec leaves the
 * order open).
 */
#include "onnx_math.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct item {
    double f;
    int64_t i;
    int64_t idx;
} item;

static int by_idx(const item *a, const item *b) { return (a->idx > b->idx) - (a->idx < b->idx); }

/* total order on doubles with NaN above everything */
static int fcmp(double a, double b)
{
    if (isnan(a) || isnan(b))
        return isnan(a) - isnan(b);
    return (a > b) - (a < b);
}

static int f_desc(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    int c = fcmp(b->f, a->f);
    return c ? c : by_idx(a, b);
}

static int f_asc(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    int c = fcmp(a->f, b->f);
    return c ? c : by_idx(a, b);
}

static int i_desc(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    int c = (b->i > a->i) - (b->i < a->i);
    return c ? c : by_idx(a, b);
}

static int i_asc(const void *pa, const void *pb)
{
    const item *a = pa, *b = pb;
    int c = (a->i > b->i) - (a->i < b->i);
    return c ? c : by_idx(a, b);
}

/* k from the attribute (opset < 10) or input 1 (tensor, may be NULL when
 * unknown at shape-inference time: *k = -1). */
static int topk_k(const finn_node *n, int64_t opset, const finn_tensor *kt, int64_t *k,
                  finn_error *err)
{
    if (opset < 10) {
        *k = finn_node_attr_i(n, "k", -1);
        if (*k < 0)
            return finn_error_set(err, FINN_ERR_INVALID, "TopK needs a 'k' attribute >= 0");
        return 0;
    }
    if (!kt) {
        *k = -1;
        return 0;
    }
    if (finn_tensor_numel(kt) != 1)
        return finn_error_set(err, FINN_ERR_INVALID, "TopK k must hold one element, has %zu",
                              finn_tensor_numel(kt));
    *k = om_get_i64(kt, 0);
    if (*k < 0)
        return finn_error_set(err, FINN_ERR_INVALID, "TopK k is negative (%lld)", (long long)*k);
    return 0;
}

int om_shape_topk(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *v = om_need_shape(m, n, 0, err);
    int axis;
    int64_t k;
    const char *kname = finn_node_input(n, 1);
    const finn_tensor *kt = kname ? finn_model_initializer(m, kname) : NULL;
    if (!v || om_axis(finn_node_attr_i(n, "axis", -1), v->ndim, &axis, "TopK axis", err) ||
        topk_k(n, om_opset(m), kt, &k, err))
        return -1;
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, v->shape, sizeof shape);
    shape[axis] = k; /* -1 (symbolic) when k is computed at run time */
    int nd = v->ndim;
    finn_elem_type elem = v->elem;
    if (finn_model_set_shape(m, n->outputs[0], elem, nd, shape, err))
        return -1;
    if (n->n_outputs > 1 && n->outputs[1][0])
        return finn_model_set_shape(m, n->outputs[1], FINN_ELEM_INT64, nd, shape, err);
    return 0;
}

static void topk_slice(const finn_tensor *x, size_t base, size_t len, size_t inner, int64_t k,
                       bool largest, item *it, finn_tensor *vals, int64_t *idx, size_t obase)
{
    bool fl = om_is_float(x->type);
    for (size_t j = 0; j < len; j++) {
        size_t p = base + j * inner;
        it[j].f = fl ? finn_tensor_get(x, p) : 0.0;
        it[j].i = fl ? 0 : om_get_i64(x, p);
        it[j].idx = (int64_t)j;
    }
    qsort(it, len, sizeof *it, fl ? (largest ? f_desc : f_asc) : (largest ? i_desc : i_asc));
    size_t es = finn_elem_size(x->type);
    for (int64_t j = 0; j < k; j++) {
        size_t o = obase + (size_t)j * inner;
        memcpy((char *)vals->data + o * es,
               (const char *)x->data + (base + (size_t)it[j].idx * inner) * es, es);
        idx[o] = it[j].idx;
    }
}

int om_exec_topk(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    int axis;
    int64_t k;
    int64_t opset = om_opset(m);
    if (!x || om_axis(finn_node_attr_i(n, "axis", -1), x->ndim, &axis, "TopK axis", err))
        return -1;
    const finn_tensor *kt = opset >= 10 ? om_need_input(ctx, n, 1, err) : NULL;
    if ((opset >= 10 && !kt) || topk_k(n, opset, kt, &k, err))
        return -1;
    if (k > x->shape[axis])
        return finn_error_set(err, FINN_ERR_INVALID, "TopK k=%lld exceeds axis %d of size %lld",
                              (long long)k, axis, (long long)x->shape[axis]);
    bool largest = opset < 11 || finn_node_attr_i(n, "largest", 1) != 0;
    int64_t shape[FINN_MAX_DIMS];
    memcpy(shape, x->shape, sizeof shape);
    shape[axis] = k;
    finn_tensor *vals = finn_tensor_new(x->type, x->ndim, shape, err);
    finn_tensor *idx = vals ? finn_tensor_new(FINN_ELEM_INT64, x->ndim, shape, err) : NULL;
    size_t len = (size_t)x->shape[axis];
    item *it = idx ? om_malloc(len * sizeof *it, err) : NULL;
    if (!it) {
        finn_tensor_free(vals);
        finn_tensor_free(idx);
        return -1;
    }
    size_t outer = finn_shape_numel(axis, x->shape);
    size_t inner = finn_shape_numel(x->ndim - axis - 1, x->shape + axis + 1);
    for (size_t o = 0; o < outer; o++)
        for (size_t i = 0; i < inner; i++)
            topk_slice(x, o * len * inner + i, len, inner, k, largest, it, vals, idx->data,
                       o * (size_t)k * inner + i);
    free(it);
    if (om_set_output(ctx, n, 0, vals, err)) {
        finn_tensor_free(idx);
        return -1;
    }
    return om_set_output(ctx, n, 1, idx, err);
}
