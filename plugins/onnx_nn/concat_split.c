/*
 * concat_split.c - Concat and Split along one axis.  Both move contiguous
 * blocks: everything after the axis is one block per index before it.
 */
#include "nn.h"

#include <string.h>

static size_t prod(const int64_t *s, int from, int to)
{
    size_t p = 1;
    for (int i = from; i < to; i++)
        p *= (size_t)s[i];
    return p;
}

/* ---- Concat ---------------------------------------------------------------- */
static int concat_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    if (a->n_in == 0 || !finn_node_attr(a->n, "axis"))
        return finn_error_set(err, FINN_ERR_INVALID, "needs inputs and an axis");
    if (nn_need_shape(a, 0, err))
        return -1;
    const nn_in *x0 = &a->in[0];
    int ax;
    if (nn_axis(a, finn_node_attr_i(a->n, "axis", 0), x0->ndim, "axis", &ax, err))
        return -1;
    nn_out_like(&out[0], x0);
    for (size_t k = 1; k < a->n_in; k++) {
        if (nn_need_shape(a, k, err))
            return -1;
        const nn_in *x = &a->in[k];
        bool ok = x->ndim == x0->ndim && x->elem == x0->elem;
        for (int i = 0; ok && i < x->ndim; i++)
            ok = i == ax || x->shape[i] == x0->shape[i];
        if (!ok) {
            char b1[128], b2[128];
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "input '%s' %s %s does not match '%s' %s %s on axis %d",
                                  x->name, finn_elem_name(x->elem),
                                  finn_shape_str(x->ndim, x->shape, b1, sizeof b1), x0->name,
                                  finn_elem_name(x0->elem),
                                  finn_shape_str(x0->ndim, x0->shape, b2, sizeof b2), ax);
        }
        out[0].shape[ax] += x->shape[ax];
    }
    return 0;
}

static int concat_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    int ax;
    finn_tensor *y = outs[0];
    if (nn_axis(a, finn_node_attr_i(a->n, "axis", 0), y->ndim, "axis", &ax, err))
        return -1;
    size_t es = finn_elem_size(y->type), outer = prod(y->shape, 0, ax);
    char *dst = y->data;
    for (size_t o = 0; o < outer; o++)
        for (size_t k = 0; k < a->n_in; k++) {
            const finn_tensor *x = a->in[k].t;
            size_t block = prod(x->shape, ax, x->ndim) * es;
            memcpy(dst, (const char *)x->data + o * block, block);
            dst += block;
        }
    return 0;
}

/* ---- Split: sizes from the split attribute/input, else equal parts -------- */
typedef struct split_plan {
    int axis;
    int64_t sizes[NN_MAX_IO];
} split_plan;

static int split_plan_make(const nn_args *a, split_plan *p, finn_error *err)
{
    size_t ns;
    bool found;
    if (nn_need_shape(a, 0, err) ||
        nn_axis(a, finn_node_attr_i(a->n, "axis", 0), a->in[0].ndim, "axis", &p->axis, err) ||
        nn_ints_arg(a, "split", 1, p->sizes, NN_MAX_IO, &ns, &found, err))
        return -1;
    int64_t dim = a->in[0].shape[p->axis], k = (int64_t)a->n_out;
    if (found) {
        int64_t sum = 0;
        for (size_t i = 0; i < ns; i++)
            sum += p->sizes[i] < 0 ? dim + 1 : p->sizes[i];
        if (ns != a->n_out || sum != dim)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "%zu sizes summing to %lld for %zu outputs and dim %lld",
                                  ns, (long long)sum, a->n_out, (long long)dim);
        return 0;
    }
    if (k == 0)
        return finn_error_set(err, FINN_ERR_INVALID, "no outputs");
    /* opset 18 num_outputs: ceil-sized parts, the last one smaller */
    int64_t part = (dim + k - 1) / k;
    if (dim % k && (a->opset < 18 || !finn_node_attr(a->n, "num_outputs")))
        return finn_error_set(err, FINN_ERR_INVALID,
                              "dim %lld does not split equally into %lld outputs",
                              (long long)dim, (long long)k);
    for (int64_t i = 0; i < k; i++) {
        int64_t left = dim - i * part;
        p->sizes[i] = left < 0 ? 0 : (left < part ? left : part);
    }
    return 0;
}

static int split_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    split_plan p;
    if (split_plan_make(a, &p, err))
        return -1;
    for (size_t k = 0; k < a->n_out; k++) {
        nn_out_like(&out[k], &a->in[0]);
        out[k].shape[p.axis] = p.sizes[k];
    }
    return 0;
}

static int split_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    split_plan p;
    if (split_plan_make(a, &p, err))
        return -1;
    const finn_tensor *x = a->in[0].t;
    size_t es = finn_elem_size(x->type), outer = prod(x->shape, 0, p.axis);
    size_t inner = prod(x->shape, p.axis + 1, x->ndim) * es;
    size_t row = (size_t)x->shape[p.axis] * inner;
    size_t start = 0;
    for (size_t k = 0; k < a->n_out; k++) {
        size_t block = (size_t)p.sizes[k] * inner;
        for (size_t o = 0; outs[k] && o < outer; o++)
            memcpy((char *)outs[k]->data + o * block, (const char *)x->data + o * row + start,
                   block);
        start += block;
    }
    return 0;
}

NN_OP(concat, concat_shape, concat_exec)
NN_OP(split, split_shape, split_exec)
