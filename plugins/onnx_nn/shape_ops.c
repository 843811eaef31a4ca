/*
 * shape_ops.c - ops that only change a tensor's shape, not its bytes:
 * Reshape, Flatten, Squeeze, Unsqueeze; and Expand (broadcast copy).
 * They work for every element type.
 */
#include "nn.h"

#include <string.h>

/* Same bytes, new shape (the output tensor was sized by shape()). */
static int copy_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    (void)err;
    memcpy(outs[0]->data, a->in[0].t->data, finn_tensor_nbytes(outs[0]));
    return 0;
}

static int64_t numel_of(int ndim, const int64_t *shape)
{
    int64_t n = 1;
    for (int i = 0; i < ndim; i++)
        n *= shape[i];
    return n;
}

/* ---- Reshape: 0 copies the input dim (unless allowzero), -1 is inferred -- */
static int reshape_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    int64_t s[FINN_MAX_DIMS];
    size_t ns;
    if (nn_need_shape(a, 0, err) || nn_need_data(a, 1, "shape", err) ||
        nn_tensor_ints(a->in[1].t, s, FINN_MAX_DIMS, &ns, "shape", err))
        return -1;
    const nn_in *x = &a->in[0];
    int allowzero = finn_node_attr_i(a->n, "allowzero", 0) != 0;
    int infer = -1;
    int64_t known = 1;
    for (size_t i = 0; i < ns; i++) {
        if (s[i] == 0 && !allowzero) {
            if ((int)i >= x->ndim)
                return finn_error_set(err, FINN_ERR_INVALID,
                                      "shape[%zu] = 0 copies a dim the %d-D input lacks",
                                      i, x->ndim);
            s[i] = x->shape[i];
        }
        if (s[i] == -1) {
            if (infer >= 0)
                return finn_error_set(err, FINN_ERR_INVALID, "more than one -1 in shape");
            infer = (int)i;
        } else if (s[i] < 0) {
            return finn_error_set(err, FINN_ERR_INVALID, "invalid dim %lld in shape",
                                  (long long)s[i]);
        } else {
            known *= s[i];
        }
    }
    int64_t total = numel_of(x->ndim, x->shape);
    if (infer >= 0) {
        if (known == 0 || total % known)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "cannot infer -1: %lld elements, other dims give %lld",
                                  (long long)total, (long long)known);
        s[infer] = total / known;
        known *= s[infer];
    }
    if (known != total) {
        char b1[128], b2[128];
        return finn_error_set(err, FINN_ERR_INVALID, "cannot reshape %s to %s",
                              finn_shape_str(x->ndim, x->shape, b1, sizeof b1),
                              finn_shape_str((int)ns, s, b2, sizeof b2));
    }
    out[0].elem = x->elem;
    out[0].ndim = (int)ns;
    memcpy(out[0].shape, s, ns * sizeof *s);
    return 0;
}

/* ---- Flatten: (d0*..*d[axis-1], d[axis]*..*d[r-1]) ------------------------- */
static int flatten_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    if (nn_need_shape(a, 0, err))
        return -1;
    const nn_in *x = &a->in[0];
    int64_t axis = finn_node_attr_i(a->n, "axis", 1);
    int ax;
    /* axis may equal rank (everything in the first dim) */
    if (axis == x->ndim)
        ax = x->ndim;
    else if (nn_axis(a, axis, x->ndim, "axis", &ax, err))
        return -1;
    out[0].elem = x->elem;
    out[0].ndim = 2;
    out[0].shape[0] = numel_of(ax, x->shape);
    out[0].shape[1] = numel_of(x->ndim - ax, x->shape + ax);
    return 0;
}

/* ---- Squeeze: axes attribute (opset < 13) or input 1; none = all 1-dims -- */
static int squeeze_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    int64_t axes[FINN_MAX_DIMS];
    size_t na;
    bool found;
    if (nn_need_shape(a, 0, err) ||
        nn_ints_arg(a, "axes", 1, axes, FINN_MAX_DIMS, &na, &found, err))
        return -1;
    const nn_in *x = &a->in[0];
    bool drop[FINN_MAX_DIMS] = {false};
    for (size_t i = 0; i < na; i++) {
        int ax;
        if (nn_axis(a, axes[i], x->ndim, "axis", &ax, err))
            return -1;
        if (x->shape[ax] != 1)
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "dim %d has size %lld, not 1", ax,
                                  (long long)x->shape[ax]);
        drop[ax] = true;
    }
    out[0].elem = x->elem;
    out[0].ndim = 0;
    for (int i = 0; i < x->ndim; i++)
        if (!(na ? drop[i] : x->shape[i] == 1))
            out[0].shape[out[0].ndim++] = x->shape[i];
    return 0;
}

/* ---- Unsqueeze: axes index the output (negative: from its end) ----------- */
static int unsqueeze_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    int64_t axes[FINN_MAX_DIMS];
    size_t na;
    bool found;
    if (nn_need_shape(a, 0, err) ||
        nn_ints_arg(a, "axes", 1, axes, FINN_MAX_DIMS, &na, &found, err))
        return -1;
    const nn_in *x = &a->in[0];
    int r = x->ndim + (int)na;
    if (!found || r > FINN_MAX_DIMS)
        return finn_error_set(err, FINN_ERR_INVALID, "%s",
                              found ? "too many dims" : "axes are required");
    bool ins[FINN_MAX_DIMS] = {false};
    for (size_t i = 0; i < na; i++) {
        int ax;
        if (nn_axis(a, axes[i], r, "axis", &ax, err))
            return -1;
        if (ins[ax])
            return finn_error_set(err, FINN_ERR_INVALID, "axis %d repeated", ax);
        ins[ax] = true;
    }
    out[0].elem = x->elem;
    out[0].ndim = r;
    for (int i = 0, j = 0; i < r; i++)
        out[0].shape[i] = ins[i] ? 1 : x->shape[j++];
    return 0;
}

/* ---- Expand: numpy broadcast of the input and the shape input ------------ */
static int expand_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    int64_t s[FINN_MAX_DIMS];
    size_t ns;
    if (nn_need_shape(a, 0, err) || nn_need_data(a, 1, "shape", err) ||
        nn_tensor_ints(a->in[1].t, s, FINN_MAX_DIMS, &ns, "shape", err))
        return -1;
    const nn_in *x = &a->in[0];
    int r = x->ndim > (int)ns ? x->ndim : (int)ns;
    out[0].elem = x->elem;
    out[0].ndim = r;
    for (int i = 0; i < r; i++) {
        int xi = i - (r - x->ndim), si = i - (r - (int)ns);
        int64_t dx = xi >= 0 ? x->shape[xi] : 1, ds = si >= 0 ? s[si] : 1;
        if (ds < 0 || (dx != ds && dx != 1 && ds != 1))
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "input dim %lld cannot broadcast to %lld",
                                  (long long)dx, (long long)ds);
        out[0].shape[i] = dx == 1 ? ds : dx;
    }
    return 0;
}

static int expand_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    (void)err;
    const finn_tensor *x = a->in[0].t;
    finn_tensor *y = outs[0];
    int r = y->ndim, off = r - x->ndim;
    int64_t xs[FINN_MAX_DIMS], bs[FINN_MAX_DIMS], idx[FINN_MAX_DIMS] = {0};
    nn_strides(x->ndim, x->shape, xs);
    for (int i = 0; i < r; i++) /* stride 0 along broadcast dims */
        bs[i] = (i < off || x->shape[i - off] == 1) ? 0 : xs[i - off];
    size_t es = finn_elem_size(y->type), n = finn_tensor_numel(y);
    const char *src = x->data;
    char *dst = y->data;
    for (size_t o = 0; o < n; o++) {
        int64_t si = 0;
        for (int i = 0; i < r; i++)
            si += idx[i] * bs[i];
        memcpy(dst + o * es, src + (size_t)si * es, es);
        for (int i = r - 1; i >= 0 && ++idx[i] == y->shape[i]; i--)
            idx[i] = 0;
    }
    return 0;
}

NN_OP(reshape, reshape_shape, copy_exec)
NN_OP(flatten, flatten_shape, copy_exec)
NN_OP(squeeze, squeeze_shape, copy_exec)
NN_OP(unsqueeze, unsqueeze_shape, copy_exec)
NN_OP(expand, expand_shape, expand_exec)
