/*
 * transpose.c - axis permutations: Transpose, and DepthToSpace /
 * SpaceToDepth written as ONNX defines them (reshape to 6-D, transpose,
 * reshape back).  Byte copies, so every element type works.
 */
#include "nn.h"

#include <string.h>

/* dst (shape = shape[perm[i]]) = src (shape) permuted. */
static void permute(const void *src, void *dst, size_t es, int ndim, const int64_t *shape,
                    const int *perm)
{
    int64_t xs[FINN_MAX_DIMS], st[FINN_MAX_DIMS] = {0}, os[FINN_MAX_DIMS] = {0};
    int64_t idx[FINN_MAX_DIMS] = {0};
    nn_strides(ndim, shape, xs);
    size_t n = 1;
    for (int i = 0; i < ndim; i++) {
        os[i] = shape[perm[i]];
        st[i] = xs[perm[i]];
        n *= (size_t)os[i];
    }
    if (ndim == 0) {
        memcpy(dst, src, es);
        return;
    }
    const char *s = src;
    char *d = dst;
    int64_t off = 0, inner = os[ndim - 1], ist = st[ndim - 1];
    for (size_t o = 0; o < n; o += (size_t)inner) {
        for (int64_t j = 0; j < inner; j++)
            memcpy(d + (o + (size_t)j) * es, s + (size_t)(off + j * ist) * es, es);
        /* advance the outer index counter (all dims but the last) */
        for (int i = ndim - 2; i >= 0; i--) {
            off += st[i];
            if (++idx[i] < os[i])
                break;
            off -= st[i] * os[i];
            idx[i] = 0;
        }
    }
}

/* ---- Transpose: perm attribute, default reverses the axes ---------------- */
static int read_perm(const nn_args *a, int rank, int *perm, finn_error *err)
{
    const int64_t *pv;
    size_t np = finn_node_attr_ints(a->n, "perm", &pv);
    bool seen[FINN_MAX_DIMS] = {false};
    if (!pv) {
        for (int i = 0; i < rank; i++)
            perm[i] = rank - 1 - i;
        return 0;
    }
    if (np != (size_t)rank)
        return finn_error_set(err, FINN_ERR_INVALID, "perm has %zu entries, rank %d",
                              np, rank);
    for (int i = 0; i < rank; i++) {
        if (nn_axis(a, pv[i], rank, "perm entry", &perm[i], err))
            return -1;
        if (seen[perm[i]])
            return finn_error_set(err, FINN_ERR_INVALID, "perm repeats axis %d",
                                  perm[i]);
        seen[perm[i]] = true;
    }
    return 0;
}

static int transpose_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    int perm[FINN_MAX_DIMS];
    if (nn_need_shape(a, 0, err) || read_perm(a, a->in[0].ndim, perm, err))
        return -1;
    out[0].elem = a->in[0].elem;
    out[0].ndim = a->in[0].ndim;
    for (int i = 0; i < out[0].ndim; i++)
        out[0].shape[i] = a->in[0].shape[perm[i]];
    return 0;
}

static int transpose_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    int perm[FINN_MAX_DIMS];
    const finn_tensor *x = a->in[0].t;
    if (read_perm(a, x->ndim, perm, err))
        return -1;
    permute(x->data, outs[0]->data, finn_elem_size(x->type), x->ndim, x->shape, perm);
    return 0;
}

/* ---- DepthToSpace / SpaceToDepth ----------------------------------------- */
/* The 6-D view of the input and the permutation that ONNX specifies:
 *   DepthToSpace DCR: (N, b, b, C/b^2, H, W)  perm (0, 3, 4, 1, 5, 2)
 *   DepthToSpace CRD: (N, C/b^2, b, b, H, W)  perm (0, 1, 4, 2, 5, 3)
 *   SpaceToDepth:     (N, C, H/b, b, W/b, b)  perm (0, 3, 5, 1, 2, 4) */
typedef struct d2s_plan {
    int64_t view[6];
    int perm[6];
    int64_t out[4];
} d2s_plan;

static int d2s_plan_make(const nn_args *a, bool to_space, d2s_plan *p, finn_error *err)
{
    static const int dcr[6] = {0, 3, 4, 1, 5, 2}, crd[6] = {0, 1, 4, 2, 5, 3},
                     s2d[6] = {0, 3, 5, 1, 2, 4};
    if (nn_need_shape(a, 0, err))
        return -1;
    const int64_t *s = a->in[0].shape;
    int64_t b = finn_node_attr_i(a->n, "blocksize", 0);
    if (a->in[0].ndim != 4 || b < 1)
        return finn_error_set(err, FINN_ERR_INVALID, "needs a 4-D input and blocksize >= 1");
    int64_t N = s[0], C = s[1], H = s[2], W = s[3];
    if (to_space) {
        const char *mode = finn_node_attr_s(a->n, "mode", "DCR");
        bool is_crd = !strcmp(mode, "CRD");
        if (!is_crd && strcmp(mode, "DCR"))
            return finn_error_set(err, FINN_ERR_INVALID, "unknown mode '%s'", mode);
        if (C % (b * b))
            return finn_error_set(err, FINN_ERR_INVALID,
                                  "%lld channels not divisible by blocksize^2 = %lld", (long long)C,
                                  (long long)(b * b));
        int64_t c = C / (b * b);
        int64_t v_dcr[6] = {N, b, b, c, H, W}, v_crd[6] = {N, c, b, b, H, W};
        memcpy(p->view, is_crd ? v_crd : v_dcr, sizeof p->view);
        memcpy(p->perm, is_crd ? crd : dcr, sizeof p->perm);
        int64_t o[4] = {N, c, H * b, W * b};
        memcpy(p->out, o, sizeof o);
        return 0;
    }
    if (H % b || W % b)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "spatial size %lldx%lld not divisible by blocksize %lld",
                              (long long)H, (long long)W, (long long)b);
    int64_t v[6] = {N, C, H / b, b, W / b, b}, o[4] = {N, C * b * b, H / b, W / b};
    memcpy(p->view, v, sizeof v);
    memcpy(p->perm, s2d, sizeof p->perm);
    memcpy(p->out, o, sizeof o);
    return 0;
}

static int d2s_shape_common(const nn_args *a, nn_out *out, bool to_space, finn_error *err)
{
    d2s_plan p;
    if (d2s_plan_make(a, to_space, &p, err))
        return -1;
    out[0].elem = a->in[0].elem;
    out[0].ndim = 4;
    memcpy(out[0].shape, p.out, sizeof p.out);
    return 0;
}

static int d2s_exec_common(const nn_args *a, finn_tensor **outs, bool to_space, finn_error *err)
{
    d2s_plan p;
    if (d2s_plan_make(a, to_space, &p, err))
        return -1;
    const finn_tensor *x = a->in[0].t;
    permute(x->data, outs[0]->data, finn_elem_size(x->type), 6, p.view, p.perm);
    return 0;
}

static int d2s_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    return d2s_shape_common(a, out, true, err);
}

static int d2s_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    return d2s_exec_common(a, outs, true, err);
}

static int s2d_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    return d2s_shape_common(a, out, false, err);
}

static int s2d_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    return d2s_exec_common(a, outs, false, err);
}

NN_OP(transpose, transpose_shape, transpose_exec)
NN_OP(depth_to_space, d2s_shape, d2s_exec)
NN_OP(space_to_depth, s2d_shape, s2d_exec)
