/*
 * broadcast.c - numpy-style multidirectional broadcasting (finn/broadcast.h).
 */
#include "finn/broadcast.h"

#include <string.h>

int finn_bcast_shape(int nda, const int64_t *a, int ndb, const int64_t *b, int *ndout,
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

int finn_bcast_init(finn_bcast *b, size_t count, const finn_tensor *const *ts, finn_error *err)
{
    memset(b, 0, sizeof *b);
    if (count > FINN_BCAST_MAX)
        return finn_error_set(err, FINN_ERR_INVALID, "cannot broadcast %zu tensors (at most %d)",
                              count, FINN_BCAST_MAX);
    b->count = count;
    for (size_t k = 0; k < count; k++)
        if (finn_bcast_shape(b->ndim, b->shape, ts[k]->ndim, ts[k]->shape, &b->ndim, b->shape,
                             err))
            return -1;
    b->numel = finn_shape_numel(b->ndim, b->shape);
    for (size_t k = 0; k < count; k++) {
        const finn_tensor *t = ts[k];
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

size_t finn_bcast_offset(const finn_bcast *b, size_t k, size_t flat)
{
    if (b->same[k])
        return flat;
    size_t idx = 0;
    for (int d = b->ndim - 1; d >= 0; d--) {
        size_t dim = (size_t)b->shape[d];
        idx += (flat % dim) * b->stride[k][d];
        flat /= dim;
    }
    return idx;
}

void finn_bcast_index(const finn_bcast *b, size_t flat, size_t *idx)
{
    for (size_t k = 0; k < b->count; k++)
        idx[k] = 0;
    for (int d = b->ndim - 1; d >= 0; d--) {
        size_t dim = (size_t)b->shape[d];
        size_t c = flat % dim;
        flat /= dim;
        for (size_t k = 0; k < b->count; k++)
            idx[k] += c * b->stride[k][d];
    }
}

void finn_bcast_next(const finn_bcast *b, size_t *ctr, size_t *idx)
{
    for (int d = b->ndim - 1; d >= 0; d--) {
        for (size_t k = 0; k < b->count; k++)
            idx[k] += b->stride[k][d];
        if (++ctr[d] < (size_t)b->shape[d])
            return;
        for (size_t k = 0; k < b->count; k++)
            idx[k] -= b->stride[k][d] * ctr[d];
        ctr[d] = 0;
    }
}
