/*
 * slice_gather.c - Slice (attributes before opset 10, inputs from 10;
 * negative indices, clamping, negative steps) and Gather (any axis,
 * negative indices).  Byte copies, so every element type works.
 */
#include "nn.h"

#include <string.h>

/* ---- Slice ------------------------------------------------------------------ */
typedef struct slice_plan {
    int ndim;
    int64_t start[FINN_MAX_DIMS], step[FINN_MAX_DIMS], len[FINN_MAX_DIMS];
} slice_plan;

/* Clamp one axis as ONNX defines it; returns the output length. */
static int64_t slice_axis(int64_t dim, int64_t start, int64_t end, int64_t step,
                          int64_t *start_out)
{
    if (start < 0)
        start += dim;
    if (end < 0)
        end += dim;
    int64_t len;
    if (step > 0) {
        start = start < 0 ? 0 : (start > dim ? dim : start);
        end = end < 0 ? 0 : (end > dim ? dim : end);
        len = end > start ? (end - start + step - 1) / step : 0;
    } else {
        start = start < 0 ? 0 : (start > dim - 1 ? dim - 1 : start);
        end = end < -1 ? -1 : (end > dim - 1 ? dim - 1 : end);
        len = start > end ? (start - end - step - 1) / -step : 0;
    }
    *start_out = start;
    return len;
}

static int slice_plan_make(const nn_args *a, slice_plan *p, finn_error *err)
{
    int64_t st[FINN_MAX_DIMS], en[FINN_MAX_DIMS], ax[FINN_MAX_DIMS], sp[FINN_MAX_DIMS];
    size_t ns, ne, na, nst;
    bool fs, fe, fa, fst;
    if (nn_need_shape(a, 0, err) ||
        nn_ints_arg(a, "starts", 1, st, FINN_MAX_DIMS, &ns, &fs, err) ||
        nn_ints_arg(a, "ends", 2, en, FINN_MAX_DIMS, &ne, &fe, err) ||
        nn_ints_arg(a, "axes", 3, ax, FINN_MAX_DIMS, &na, &fa, err) ||
        nn_ints_arg(a, "steps", 4, sp, FINN_MAX_DIMS, &nst, &fst, err))
        return -1;
    const nn_in *x = &a->in[0];
    if (!fs || !fe || ns != ne || (fa && na != ns) || (fst && nst != ns))
        return finn_error_set(err, FINN_ERR_INVALID,
                              "starts/ends/axes/steps missing or of different lengths");
    p->ndim = x->ndim;
    for (int i = 0; i < x->ndim; i++) {
        p->start[i] = 0;
        p->step[i] = 1;
        p->len[i] = x->shape[i];
    }
    bool seen[FINN_MAX_DIMS] = {false};
    for (size_t i = 0; i < ns; i++) {
        int d;
        if (nn_axis(a, fa ? ax[i] : (int64_t)i, x->ndim, "axis", &d, err))
            return -1;
        int64_t step = fst ? sp[i] : 1;
        if (step == 0 || seen[d])
            return finn_error_set(err, FINN_ERR_INVALID, "%s on axis %d",
                                  step == 0 ? "step 0" : "repeated axis", d);
        seen[d] = true;
        p->step[d] = step;
        p->len[d] = slice_axis(x->shape[d], st[i], en[i], step, &p->start[d]);
    }
    return 0;
}

static int slice_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    slice_plan p;
    if (slice_plan_make(a, &p, err))
        return -1;
    nn_out_like(&out[0], &a->in[0]);
    memcpy(out[0].shape, p.len, (size_t)p.ndim * sizeof *p.len);
    return 0;
}

static int slice_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    slice_plan p;
    if (slice_plan_make(a, &p, err))
        return -1;
    const finn_tensor *x = a->in[0].t;
    int64_t xs[FINN_MAX_DIMS], idx[FINN_MAX_DIMS] = {0};
    nn_strides(x->ndim, x->shape, xs);
    size_t es = finn_elem_size(x->type), n = finn_tensor_numel(outs[0]);
    int64_t base = 0;
    for (int i = 0; i < p.ndim; i++)
        base += p.start[i] * xs[i];
    const char *src = x->data;
    char *dst = outs[0]->data;
    for (size_t o = 0; o < n; o++) {
        int64_t off = base;
        for (int i = 0; i < p.ndim; i++)
            off += idx[i] * p.step[i] * xs[i];
        memcpy(dst + o * es, src + (size_t)off * es, es);
        for (int i = p.ndim - 1; i >= 0 && ++idx[i] == p.len[i]; i--)
            idx[i] = 0;
    }
    return 0;
}

/* ---- Gather: out = data[..., indices, ...] along axis ------------------------ */
static int gather_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    int ax;
    if (nn_need_shape(a, 0, err) || nn_need_shape(a, 1, err) ||
        nn_axis(a, finn_node_attr_i(a->n, "axis", 0), a->in[0].ndim, "axis", &ax, err))
        return -1;
    const nn_in *x = &a->in[0], *ix = &a->in[1];
    int r = x->ndim - 1 + ix->ndim;
    if (r > FINN_MAX_DIMS)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "output would have %d dims", r);
    out[0].elem = x->elem;
    out[0].ndim = r;
    memcpy(out[0].shape, x->shape, (size_t)ax * sizeof *x->shape);
    memcpy(out[0].shape + ax, ix->shape, (size_t)ix->ndim * sizeof *ix->shape);
    memcpy(out[0].shape + ax + ix->ndim, x->shape + ax + 1,
           (size_t)(x->ndim - ax - 1) * sizeof *x->shape);
    return 0;
}

static int gather_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    int ax;
    const finn_tensor *x = a->in[0].t, *it = a->in[1].t;
    if (nn_axis(a, finn_node_attr_i(a->n, "axis", 0), x->ndim, "axis", &ax, err))
        return -1;
    size_t es = finn_elem_size(x->type), outer = 1, inner = es, ni = finn_tensor_numel(it);
    for (int i = 0; i < ax; i++)
        outer *= (size_t)x->shape[i];
    for (int i = ax + 1; i < x->ndim; i++)
        inner *= (size_t)x->shape[i];
    int64_t dim = x->shape[ax];
    char *dst = outs[0]->data;
    for (size_t j = 0; j < ni; j++) { /* validate first: no partial output */
        int64_t k = it->type == FINN_ELEM_INT64 ? ((const int64_t *)it->data)[j]
                                                : (int64_t)finn_tensor_get(it, j);
        if (k < -dim || k >= dim)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "index %lld out of range for axis %d of size %lld",
                                  (long long)k, ax, (long long)dim);
    }
    for (size_t o = 0; o < outer; o++)
        for (size_t j = 0; j < ni; j++, dst += inner) {
            int64_t k = it->type == FINN_ELEM_INT64 ? ((const int64_t *)it->data)[j]
                                                    : (int64_t)finn_tensor_get(it, j);
            if (k < 0)
                k += dim;
            memcpy(dst, (const char *)x->data + (o * (size_t)dim + (size_t)k) * inner, inner);
        }
    return 0;
}

NN_OP(slice, slice_shape, slice_exec)
NN_OP(gather, gather_shape, gather_exec)
