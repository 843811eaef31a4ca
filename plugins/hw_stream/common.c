/*
 * common.c - helpers shared by the hw_stream layers: attribute access with
 * FINN's required/default rules, folded shapes, shape/datatype inference
 * through the HW table, output tensors and the Im2Col kernel.
 */
#include "hws.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

int hs_fail(finn_error *err, const finn_node *n, finn_errcode code, const char *fmt, ...)
{
    char msg[FINN_ERROR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return finn_error_set(err, code, "node '%s' (%s): %s", n->name ? n->name : "", n->op_type,
                          msg);
}

int hs_req_i(const finn_node *n, const char *name, int64_t *v, finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, name);
    if (!a)
        return hs_fail(err, n, FINN_ERR_INVALID, "required attribute '%s' is missing", name);
    if (a->type != FINN_ATTR_INT)
        return hs_fail(err, n, FINN_ERR_INVALID, "attribute '%s' must be an integer", name);
    *v = a->i;
    return 0;
}

static int ints_copy(const finn_node *n, const char *name, const finn_attr *a, size_t count,
                     int64_t *v, size_t *got, finn_error *err)
{
    if (a->type != FINN_ATTR_INTS)
        return hs_fail(err, n, FINN_ERR_INVALID, "attribute '%s' must be a list of integers",
                       name);
    if (count ? a->n != count : a->n > FINN_MAX_DIMS)
        return hs_fail(err, n, FINN_ERR_INVALID, "attribute '%s' needs %zu values, has %zu",
                       name, count ? count : (size_t)FINN_MAX_DIMS, a->n);
    for (size_t i = 0; i < a->n; i++)
        v[i] = a->ints[i];
    if (got)
        *got = a->n;
    return 0;
}

int hs_req_ints(const finn_node *n, const char *name, size_t count, int64_t *v, size_t *got,
                finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, name);
    if (!a)
        return hs_fail(err, n, FINN_ERR_INVALID, "required attribute '%s' is missing", name);
    return ints_copy(n, name, a, count, v, got, err);
}

int hs_opt_ints(const finn_node *n, const char *name, size_t count, const int64_t *dflt,
                int64_t *v, size_t *got, finn_error *err)
{
    const finn_attr *a = finn_node_attr(n, name);
    if (a)
        return ints_copy(n, name, a, 0, v, got, err);
    for (size_t i = 0; i < count; i++)
        v[i] = dflt[i];
    if (got)
        *got = count;
    return 0;
}

int hs_req_dt(const finn_node *n, const char *name, finn_datatype *dt, finn_error *err)
{
    const char *s = finn_node_attr_s(n, name, NULL);
    if (!s)
        return hs_fail(err, n, FINN_ERR_INVALID, "required attribute '%s' is missing", name);
    finn_error e = {0};
    if (finn_dt_parse(s, dt, &e))
        return hs_fail(err, n, FINN_ERR_INVALID, "attribute '%s': '%s' is not a datatype", name,
                       s);
    return 0;
}

int hs_positive(const finn_node *n, const char *name, int64_t v, finn_error *err)
{
    if (v < 1)
        return hs_fail(err, n, FINN_ERR_INVALID, "%s must be positive, got %lld", name,
                       (long long)v);
    return 0;
}

int hs_check_divides(const finn_node *n, const char *attr, int64_t v, const char *of_name,
                     int64_t of, finn_error *err)
{
    if (v >= 1 && of >= 1 && of % v == 0)
        return 0;
    char list[512] = "";
    size_t len = 0;
    for (int64_t d = 1; d <= of && len + 24 < sizeof list; d++)
        if (of % d == 0)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%lld", len ? ", " : "",
                                    (long long)d);
    return hs_fail(err, n, FINN_ERR_INVALID,
                   "%s = %lld must divide %s = %lld; allowed values: %s", attr, (long long)v,
                   of_name, (long long)of, list);
}

void hs_shape4(int *ndim, int64_t *shape, int64_t a, int64_t b, int64_t c, int64_t d)
{
    *ndim = 4;
    shape[0] = a;
    shape[1] = b;
    shape[2] = c;
    shape[3] = d;
}

int hs_fold_last(const finn_node *n, const char *attr, int64_t fold_elems, int *ndim,
                 int64_t *shape, finn_error *err)
{
    if (*ndim < 1 || *ndim >= FINN_MAX_DIMS)
        return hs_fail(err, n, FINN_ERR_INVALID, "cannot fold a %d-D shape", *ndim);
    int64_t c = shape[*ndim - 1];
    if (fold_elems < 1 || c % fold_elems)
        return hs_fail(err, n, FINN_ERR_INVALID, "%s = %lld must divide %lld", attr,
                       (long long)fold_elems, (long long)c);
    shape[*ndim - 1] = c / fold_elems;
    shape[*ndim] = fold_elems;
    (*ndim)++;
    return 0;
}

int hs_bad_kind(const finn_node *n, finn_hw_shape_kind kind, size_t index, finn_error *err)
{
    return hs_fail(err, n, FINN_ERR_INVALID, "no stream %zu of shape kind %d", index, (int)kind);
}

int hs_infer_shapes(const finn_hw_op *hw, finn_model *m, finn_node *n, finn_error *err)
{
    int nd;
    int64_t s[FINN_MAX_DIMS];
    for (size_t k = 0; k < n->n_inputs; k++) {
        const finn_value *v = n->inputs[k][0] ? finn_model_value(m, n->inputs[k]) : NULL;
        if (!v || v->ndim < 0)
            continue;
        if (hw->shape(m, n, FINN_HW_NORMAL_IN, k, &nd, s, err))
            return -1;
        if (!finn_shape_equal(nd, s, v->ndim, v->shape)) {
            char a[96], b[96];
            return hs_fail(err, n, FINN_ERR_INVALID,
                           "input '%s' has shape %s, the layer expects %s", n->inputs[k],
                           finn_shape_str(v->ndim, v->shape, a, sizeof a),
                           finn_shape_str(nd, s, b, sizeof b));
        }
    }
    for (size_t k = 0; k < n->n_outputs; k++) {
        if (!n->outputs[k][0])
            continue;
        if (hw->shape(m, n, FINN_HW_NORMAL_OUT, k, &nd, s, err) ||
            finn_model_set_shape(m, n->outputs[k], FINN_ELEM_FLOAT, nd, s, err))
            return -1;
    }
    return 0;
}

int hs_dt_like_input(finn_model *m, finn_node *n, const char *attr, finn_error *err)
{
    if (n->n_inputs < 1 || n->n_outputs < 1 || !n->inputs[0][0] || !n->outputs[0][0])
        return hs_fail(err, n, FINN_ERR_INVALID, "needs one input and one output");
    finn_datatype dt = finn_model_datatype(m, n->inputs[0]);
    if (attr) {
        char buf[FINN_DT_NAME_MAX];
        if (finn_node_set_attr_s(n, attr, finn_dt_name(dt, buf, sizeof buf), err))
            return -1;
    }
    return finn_model_set_datatype(m, n->outputs[0], dt, err);
}

finn_tensor *hs_input(const finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_error *err)
{
    const char *name = finn_node_input(n, k);
    if (!name) {
        hs_fail(err, n, FINN_ERR_INVALID, "input %zu is required", k);
        return NULL;
    }
    finn_tensor *t = finn_exec_ctx_get(ctx, name);
    if (!t)
        hs_fail(err, n, FINN_ERR_NOT_FOUND, "input '%s' has no value", name);
    return t;
}

finn_tensor *hs_output_new(finn_exec_ctx *ctx, const finn_node *n, size_t k, finn_elem_type type,
                           int ndim, const int64_t *shape, finn_error *err)
{
    if (k >= n->n_outputs || !n->outputs[k][0]) {
        hs_fail(err, n, FINN_ERR_INVALID, "output %zu is required", k);
        return NULL;
    }
    finn_tensor *t = finn_tensor_new(type, ndim, shape, err);
    if (!t || finn_exec_ctx_set(ctx, n->outputs[k], t, err))
        return NULL;
    return t;
}

int hs_output_reshaped(finn_exec_ctx *ctx, const finn_node *n, size_t k, const finn_tensor *x,
                       int ndim, const int64_t *shape, finn_error *err)
{
    if (finn_shape_numel(ndim, shape) != finn_tensor_numel(x)) {
        char a[96], b[96];
        return hs_fail(err, n, FINN_ERR_INVALID, "cannot reshape %s to %s",
                       finn_shape_str(x->ndim, x->shape, a, sizeof a),
                       finn_shape_str(ndim, shape, b, sizeof b));
    }
    finn_tensor *y = hs_output_new(ctx, n, k, x->type, ndim, shape, err);
    if (!y)
        return -1;
    memcpy(y->data, x->data, finn_tensor_nbytes(x));
    return 0;
}

int64_t hs_conv_out_dim(int64_t in, int64_t k, int64_t stride, int64_t total_pad, int64_t dil)
{
    return (int64_t)((double)(in + total_pad - dil * (k - 1) - 1) / (double)stride + 1.0);
}

int64_t hs_pool_out_dim(int64_t in, int64_t k, int64_t stride, int64_t pad, int ceil_mode)
{
    double q = (double)(in + 2 * pad - k) / (double)stride + 1.0;
    return (int64_t)(ceil_mode ? ceil(q) : floor(q));
}

int hs_im2col(const finn_node *n, const finn_tensor *x, const hs_window *w, finn_exec_ctx *ctx,
              finn_error *err)
{
    if (x->ndim != 4)
        return hs_fail(err, n, FINN_ERR_INVALID, "input must be 4-D NHWC, got %d-D", x->ndim);
    if (w->kh < 1 || w->kw < 1 || w->sh < 1 || w->sw < 1 || w->dh < 1 || w->dw < 1)
        return hs_fail(err, n, FINN_ERR_INVALID, "kernel, stride and dilation must be positive");
    int64_t nb = x->shape[0], h = x->shape[1], wd = x->shape[2], c = x->shape[3];
    /* Im2Col's rule: a unit spatial axis needs a unit kernel on it */
    if ((h == 1 && w->kh != 1) || (wd == 1 && w->kw != 1))
        return hs_fail(err, n, FINN_ERR_INVALID, "a spatial size of 1 needs kernel size 1");
    int64_t oh = hs_conv_out_dim(h, w->kh, w->sh, 0, w->dh);
    int64_t ow = hs_conv_out_dim(wd, w->kw, w->sw, 0, w->dw);
    if (oh < 1 || ow < 1 || (oh - 1) * w->sh + (w->kh - 1) * w->dh >= h ||
        (ow - 1) * w->sw + (w->kw - 1) * w->dw >= wd)
        return hs_fail(err, n, FINN_ERR_INVALID, "the kernel does not fit the %lldx%lld input",
                       (long long)h, (long long)wd);
    int64_t os[4] = {nb, oh, ow, w->kh * w->kw * c};
    finn_tensor *y = hs_output_new(ctx, n, 0, x->type, 4, os, err);
    if (!y)
        return -1;
    /* output type = input type, so each window pixel is a plain copy of
     * its C channel values */
    size_t es = finn_elem_size(x->type), row = (size_t)c * es;
    const unsigned char *src = x->data;
    unsigned char *dst = y->data;
    for (int64_t b = 0; b < nb; b++)
        for (int64_t oy = 0; oy < oh; oy++)
            for (int64_t ox = 0; ox < ow; ox++)
                for (int64_t ky = 0; ky < w->kh; ky++)
                    for (int64_t kx = 0; kx < w->kw; kx++) {
                        int64_t iy = oy * w->sh + ky * w->dh, ix = ox * w->sw + kx * w->dw;
                        memcpy(dst, src + (size_t)(((b * h + iy) * wd + ix) * c) * es, row);
                        dst += row;
                    }
    return 0;
}
