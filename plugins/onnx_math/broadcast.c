/*
 * broadcast.c - numpy-style multidirectional broadcasting (ONNX
 * Broadcasting.md): shapes are right-aligned, equal dims or a dim of 1.
 */
#include "broadcast.h"

#include <string.h>

int om_bcast_shape(int nda, const int64_t *a, int ndb, const int64_t *b, int *ndout,
                   int64_t *out, finn_error *err)
{
    int nd = nda > ndb ? nda : ndb;
    int64_t tmp[FINN_MAX_DIMS];
    for (int i = 0; i < nd; i++) {
        int ia = i - (nd - nda), ib = i - (nd - ndb);
        int64_t da = ia >= 0 ? a[ia] : 1, db = ib >= 0 ? b[ib] : 1;
        if (da == db || db == 1)
            tmp[i] = da;
        else if (da == 1)
            tmp[i] = db;
        else if (da < 0 || db < 0)
            tmp[i] = da < 0 ? db : da; /* unknown dim: the known one wins */
        else {
            char sa[128], sb[128];
            return finn_error_set(err, FINN_ERR_INVALID, "cannot broadcast shapes %s and %s",
                                  finn_shape_str(nda, a, sa, sizeof sa),
                                  finn_shape_str(ndb, b, sb, sizeof sb));
        }
    }
    memcpy(out, tmp, (size_t)nd * sizeof *out);
    *ndout = nd;
    return 0;
}

int om_bcast_init(om_bcast *b, size_t n_in, const finn_tensor *const *in, finn_error *err)
{
    memset(b, 0, sizeof *b);
    b->n_in = n_in;
    for (size_t k = 0; k < n_in; k++)
        if (om_bcast_shape(b->ndim, b->shape, in[k]->ndim, in[k]->shape, &b->ndim, b->shape,
                           err))
            return -1;
    b->numel = finn_shape_numel(b->ndim, b->shape);
    for (size_t k = 0; k < n_in; k++) {
        const finn_tensor *t = in[k];
        b->same[k] = finn_shape_equal(t->ndim, t->shape, b->ndim, b->shape);
        size_t s = 1;
        for (int i = b->ndim - 1; i >= 0; i--) {
            int it = i - (b->ndim - t->ndim);
            int64_t d = it >= 0 ? t->shape[it] : 1;
            b->stride[k][i] = d == 1 ? 0 : s;
            s *= (size_t)d;
        }
    }
    return 0;
}

size_t om_bcast_index(const om_bcast *b, size_t k, size_t i)
{
    if (b->same[k])
        return i;
    size_t idx = 0;
    for (int d = b->ndim - 1; d >= 0; d--) {
        size_t dim = (size_t)b->shape[d];
        idx += (i % dim) * b->stride[k][d];
        i /= dim;
    }
    return idx;
}
