/*
 * common.c - attribute, shape, datatype and execution helpers shared by
 * the hw_compute layers (see hwc.h).
 */
#include "hwc.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int hwc_named(finn_error *err, const finn_node *n)
{
    if (err && strncmp(err->msg, "node '", 6))
        return finn_error_prefix(err, "node '%s': ", n->name);
    return -1;
}

int hwc_req_i(const finn_node *n, const char *name, int64_t *out, finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, name);
    if (!a)
        return finn_error_set(err, FINN_ERR_INVALID, "required attribute '%s' is missing", name);
    if (a->type != FINN_ATTR_INT)
        return finn_error_set(err, FINN_ERR_INVALID, "attribute '%s' must be an integer", name);
    *out = a->i;
    return 0;
}

int hwc_req_pos(const finn_node *n, const char *name, int64_t *out, finn_error *err)
{
    if (hwc_req_i(n, name, out, err))
        return -1;
    if (*out < 1)
        return finn_error_set(err, FINN_ERR_INVALID, "attribute '%s' = %lld must be >= 1", name,
                              (long long)*out);
    return 0;
}

int hwc_ints(const finn_node *n, const char *name, const int64_t *dflt, int ndflt,
             int64_t *out, int max, finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, name);
    const int64_t *v = dflt;
    size_t count = (size_t)ndflt;
    if (a) {
        if (a->type != FINN_ATTR_INTS)
            return finn_error_set(err, FINN_ERR_INVALID, "attribute '%s' must be a list of ints",
                                  name);
        v = a->ints;
        count = a->n;
    } else if (!dflt) {
        return finn_error_set(err, FINN_ERR_INVALID, "required attribute '%s' is missing", name);
    }
    if (count > (size_t)max)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "attribute '%s' has %zu values, at most %d supported", name, count,
                              max);
    for (size_t i = 0; i < count; i++)
        out[i] = v[i];
    return (int)count;
}

int hwc_vecs(const finn_node *n, int64_t *vecs, finn_error *err)
{
    static const int64_t one[1] = {1};
    /* one slot stays free for the channel dimension (two when folded) */
    int nv = hwc_ints(n, "numInputVectors", one, 1, vecs, HWC_MAXV - 2, err);
    for (int i = 0; i < nv; i++)
        if (vecs[i] < 0)
            return finn_error_set(err, FINN_ERR_INVALID, "numInputVectors[%d] = %lld is negative",
                                  i, (long long)vecs[i]);
    return nv;
}

int64_t hwc_prod(const int64_t *v, int count)
{
    int64_t p = 1;
    for (int i = 0; i < count; i++)
        p *= v[i];
    return p;
}

int hwc_dt(const finn_node *n, const char *attr, finn_datatype *out, finn_error *err)
{
    const char *s = finn_node_attr_s(n, attr, NULL);
    if (!s || !s[0])
        return finn_error_set(err, FINN_ERR_INVALID, "required attribute '%s' is missing", attr);
    finn_error e = {0};
    if (finn_dt_parse(s, out, &e))
        return finn_error_set(err, FINN_ERR_INVALID, "attribute '%s' = '%s' is not a datatype",
                              attr, s);
    return 0;
}

int64_t hwc_bits(const finn_node *n, const char *attr)
{
    finn_datatype dt;
    finn_error e = {0};
    return hwc_dt(n, attr, &dt, &e) ? -1 : finn_dt_bitwidth(dt);
}

int hwc_choice(const finn_node *n, const char *name, const char *dflt,
               const char *const *allowed, const char **out, finn_error *err)
{
    const char *s = finn_node_attr_s(n, name, dflt);
    if (!s)
        return finn_error_set(err, FINN_ERR_INVALID, "required attribute '%s' is missing", name);
    for (const char *const *a = allowed; *a; a++)
        if (!strcmp(s, *a)) {
            *out = s;
            return 0;
        }
    char list[256] = "";
    for (const char *const *a = allowed; *a; a++) {
        size_t len = strlen(list);
        snprintf(list + len, sizeof list - len, "%s'%s'", a == allowed ? "" : ", ", *a);
    }
    return finn_error_set(err, FINN_ERR_INVALID, "attribute '%s' = '%s' is not one of %s", name,
                          s, list);
}

int hwc_shape_cat(const int64_t *vecs, int nv, const int64_t *tail, int ntail, int *ndim,
                  int64_t *shape, finn_error *err)
{
    if (nv + ntail > FINN_MAX_DIMS)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED, "shape would have %d dimensions (max %d)",
                              nv + ntail, FINN_MAX_DIMS);
    for (int i = 0; i < nv; i++)
        shape[i] = vecs[i];
    for (int i = 0; i < ntail; i++)
        shape[nv + i] = tail[i];
    *ndim = nv + ntail;
    return 0;
}

int hwc_set_out_shape(finn_model *m, const finn_node *n, size_t k, finn_elem_type elem,
                      int ndim, const int64_t *shape, finn_error *err)
{
    if (k >= n->n_outputs || !n->outputs[k][0])
        return finn_error_set(err, FINN_ERR_INVALID, "output %zu is missing", k);
    return finn_model_set_shape(m, n->outputs[k], elem, ndim, shape, err);
}

int hwc_expect_in_shape(const finn_model *m, const finn_node *n, size_t k, int ndim,
                        const int64_t *shape, finn_error *err)
{
    const char *name = finn_node_input(n, k);
    if (!name)
        return finn_error_set(err, FINN_ERR_INVALID, "input %zu is missing", k);
    const finn_value *v = finn_model_value(m, name);
    if (!v || v->ndim < 0 || finn_shape_equal(v->ndim, v->shape, ndim, shape))
        return 0;
    char got[128], want[128];
    return finn_error_set(err, FINN_ERR_INVALID, "input '%s' has shape %s, expected %s", name,
                          finn_shape_str(v->ndim, v->shape, got, sizeof got),
                          finn_shape_str(ndim, shape, want, sizeof want));
}

int hwc_check_div(const finn_node *n, const char *attr, int64_t v, const char *what,
                  int64_t total, finn_error *err)
{
    if (v >= 1 && total % v == 0)
        return 0;
    /* list the divisors; a huge list is cut short */
    char list[600] = "";
    size_t len = 0;
    for (int64_t d = 1; d <= total && len < sizeof list - 40; d++)
        if (total % d == 0)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%lld", len ? ", " : "",
                                    (long long)d);
    if (len >= sizeof list - 40)
        snprintf(list + len, sizeof list - len, ", ...");
    return finn_error_set(err, FINN_ERR_INVALID,
                          "node '%s': %s = %lld does not divide %s = %lld; allowed values: %s",
                          n->name, attr, (long long)v, what, (long long)total, list);
}

int hwc_copy_in_dt(finn_model *m, finn_node *n, size_t k, const char *attr, finn_datatype *dt,
                   finn_error *err)
{
    const char *name = finn_node_input(n, k);
    if (!name)
        return finn_error_set(err, FINN_ERR_INVALID, "input %zu is missing", k);
    *dt = finn_model_datatype(m, name);
    char buf[FINN_DT_NAME_MAX];
    return finn_node_set_attr_s(n, attr, finn_dt_name(*dt, buf, sizeof buf), err);
}

int hwc_set_out_dt(finn_model *m, const finn_node *n, size_t k, finn_datatype dt,
                   finn_error *err)
{
    if (k >= n->n_outputs || !n->outputs[k][0])
        return finn_error_set(err, FINN_ERR_INVALID, "output %zu is missing", k);
    return finn_model_set_datatype(m, n->outputs[k], dt, err);
}

const finn_tensor *hwc_in(const finn_exec_ctx *ctx, const finn_node *n, size_t k,
                          finn_error *err)
{
    const char *name = finn_node_input(n, k);
    if (!name) {
        finn_error_set(err, FINN_ERR_INVALID, "input %zu is missing", k);
        return NULL;
    }
    const finn_tensor *t = finn_exec_ctx_get(ctx, name);
    if (!t)
        finn_error_set(err, FINN_ERR_NOT_FOUND, "input '%s' has no value", name);
    return t;
}

const float *hwc_floats(const finn_tensor *t, int *owned, finn_error *err)
{
    *owned = 0;
    if (t->type == FINN_ELEM_FLOAT)
        return t->data;
    size_t count = finn_tensor_numel(t);
    float *v = malloc((count ? count : 1) * sizeof *v);
    if (!v) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        return NULL;
    }
    for (size_t i = 0; i < count; i++)
        v[i] = (float)finn_tensor_get(t, i);
    *owned = 1;
    return v;
}

int hwc_store(const finn_model *m, const finn_node *n, size_t k, finn_exec_ctx *ctx,
              finn_tensor *y, finn_error *err)
{
    if (k >= n->n_outputs || !n->outputs[k][0]) {
        finn_tensor_free(y);
        return finn_error_set(err, FINN_ERR_INVALID, "output %zu is missing", k);
    }
    const finn_value *v = finn_model_value(m, n->outputs[k]);
    if (v && v->ndim >= 0 && !finn_shape_equal(v->ndim, v->shape, y->ndim, y->shape)) {
        bool concrete = true;
        for (int d = 0; d < v->ndim; d++)
            concrete &= v->shape[d] >= 0;
        if (concrete && finn_shape_numel(v->ndim, v->shape) == finn_tensor_numel(y) &&
            finn_tensor_reshape(y, v->ndim, v->shape, err)) {
            finn_tensor_free(y);
            return -1;
        }
    }
    return finn_exec_ctx_set(ctx, n->outputs[k], y, err);
}

int hwc_threshold(finn_tensor *y, const finn_tensor *t, float scale, float bias,
                  finn_error *err)
{
    if (y->ndim < 2)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "thresholding needs at least 2 dimensions, got %d", y->ndim);
    if (t->ndim != 2)
        return finn_error_set(err, FINN_ERR_INVALID, "thresholds must be 2-D, got %d-D",
                              t->ndim);
    int axis = y->ndim == 4 ? 3 : 1;
    int64_t ch = y->shape[axis], rows = t->shape[0], steps = t->shape[1];
    if (rows != ch && rows != 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "threshold rows %lld match neither the %lld channels nor 1",
                              (long long)rows, (long long)ch);
    size_t inner = 1;
    for (int d = axis + 1; d < y->ndim; d++)
        inner *= (size_t)y->shape[d];
    int owned;
    const float *tv = hwc_floats(t, &owned, err);
    if (!tv)
        return -1;
    float *yv = y->data;
    size_t count = finn_tensor_numel(y);
    for (size_t i = 0; i < count; i++) {
        size_t c = ch ? (i / inner) % (size_t)ch : 0;
        const float *row = tv + (rows == 1 ? 0 : c) * (size_t)steps;
        int64_t hits = 0;
        for (int64_t j = 0; j < steps; j++)
            hits += yv[i] >= row[j];
        yv[i] = scale * (float)hits + bias;
    }
    if (owned)
        free((void *)tv);
    return 0;
}

int hwc_chpe_get(const finn_node *n, hwc_chpe *p, finn_error *err)
{
    if (hwc_req_pos(n, "PE", &p->pe, err) || hwc_req_pos(n, "NumChannels", &p->ch, err))
        return -1;
    p->nv = hwc_vecs(n, p->vecs, err);
    return p->nv < 0 ? -1 : 0;
}

int hwc_chpe_shape(const finn_node *n, finn_hw_shape_kind kind, bool strict, int *ndim,
                   int64_t *shape, finn_error *err)
{
    hwc_chpe p;
    if (hwc_chpe_get(n, &p, err))
        return hwc_named(err, n);
    int64_t tail[2] = {p.ch, 0};
    int nt = 1;
    if (kind == FINN_HW_FOLDED_IN || kind == FINN_HW_FOLDED_OUT) {
        if (strict && p.ch % p.pe)
            return hwc_check_div(n, "PE", p.pe, "NumChannels", p.ch, err);
        tail[0] = p.ch / p.pe, tail[1] = p.pe, nt = 2;
    }
    return hwc_shape_cat(p.vecs, p.nv, tail, nt, ndim, shape, err) ? hwc_named(err, n) : 0;
}

int64_t hwc_chpe_cycles(const finn_node *n, bool strict)
{
    hwc_chpe p;
    finn_error e = {0};
    if (hwc_chpe_get(n, &p, &e) || (strict && p.ch % p.pe))
        return -1;
    return hwc_prod(p.vecs, p.nv) * (p.ch / p.pe);
}

int hwc_chpe_check_folding(const finn_model *m, const finn_node *n, finn_error *err)
{
    (void)m;
    hwc_chpe p;
    if (hwc_chpe_get(n, &p, err))
        return hwc_named(err, n);
    return hwc_check_div(n, "PE", p.pe, "NumChannels", p.ch, err);
}

int64_t hwc_pe_width(const finn_node *n, const char *attr)
{
    int64_t b = hwc_bits(n, attr), pe = finn_node_attr_i(n, "PE", -1);
    return b < 0 || pe < 0 ? -1 : b * pe;
}
