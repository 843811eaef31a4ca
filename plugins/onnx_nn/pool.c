/*
 * pool.c - MaxPool (with optional Indices), AveragePool, GlobalMaxPool and
 * GlobalAveragePool over 1-D/2-D windows (window.c gives the geometry).
 *
 * Values are read as double (exact for every supported element type).
 * Averages of float32 tensors round every partial sum to float32, so they
 * equal a float32 accumulation (summing in window order: rows, then
 * columns); the quotient is one correctly rounded division.
 */
#include "nn.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct pool_plan {
    nn_window w;
    int64_t planes; /* N * C */
} pool_plan;

static int pool_plan_make(const nn_args *a, pool_plan *p, finn_error *err)
{
    if (nn_need_shape(a, 0, err))
        return -1;
    const nn_in *x = &a->in[0];
    if (x->ndim < 3 || x->ndim > 4)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "input has %d dims (1-D or 2-D pooling expected)",
                              x->ndim);
    if (!finn_node_attr(a->n, "kernel_shape"))
        return finn_error_set(err, FINN_ERR_INVALID, "attribute kernel_shape is required");
    p->planes = x->shape[0] * x->shape[1];
    return nn_window_init(a, x->ndim - 2, x->shape + 2, NULL, true, &p->w, err);
}

static int pool_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    pool_plan p;
    if (pool_plan_make(a, &p, err))
        return -1;
    for (size_t k = 0; k < a->n_out && k < 2; k++) {
        nn_out_like(&out[k], &a->in[0]);
        for (int i = 0; i < p.w.nsp; i++)
            out[k].shape[2 + i] = p.w.out[2 - p.w.nsp + i];
    }
    if (a->n_out > 1)
        out[1].elem = FINN_ELEM_INT64;
    return 0;
}

/* Reads the input as a double array (caller frees). */
static double *load_doubles(const finn_tensor *t, finn_error *err)
{
    size_t n = finn_tensor_numel(t);
    double *v = nn_alloc(n, sizeof *v, err);
    if (!v)
        return NULL;
    if (t->type == FINN_ELEM_FLOAT) {
        const float *f = t->data;
        for (size_t i = 0; i < n; i++)
            v[i] = f[i];
    } else {
        for (size_t i = 0; i < n; i++)
            v[i] = finn_tensor_get(t, i);
    }
    return v;
}

static void store(finn_tensor *t, size_t i, double v)
{
    if (t->type == FINN_ELEM_FLOAT)
        ((float *)t->data)[i] = (float)v;
    else
        finn_tensor_set(t, i, v);
}

static int maxpool_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    pool_plan p;
    if (pool_plan_make(a, &p, err))
        return -1;
    double *x = load_doubles(a->in[0].t, err);
    if (!x)
        return -1;
    const nn_window *w = &p.w;
    const int64_t H = w->in[0], W = w->in[1];
    int col_major = finn_node_attr_i(a->n, "storage_order", 0) == 1;
    size_t o = 0;
    for (int64_t pl = 0; pl < p.planes; pl++) {
        const double *xp = x + pl * H * W;
        for (int64_t oy = 0; oy < w->out[0]; oy++)
            for (int64_t ox = 0; ox < w->out[1]; ox++, o++) {
                double best = -INFINITY;
                int64_t by = 0, bx = 0;
                for (int64_t ky = 0; ky < w->k[0]; ky++) {
                    int64_t iy = oy * w->s[0] - w->pb[0] + ky * w->d[0];
                    if (iy < 0 || iy >= H)
                        continue;
                    for (int64_t kx = 0; kx < w->k[1]; kx++) {
                        int64_t ix = ox * w->s[1] - w->pb[1] + kx * w->d[1];
                        if (ix >= 0 && ix < W && xp[iy * W + ix] > best) {
                            best = xp[iy * W + ix];
                            by = iy;
                            bx = ix;
                        }
                    }
                }
                store(outs[0], o, best);
                if (outs[1] && a->n_out > 1)
                    ((int64_t *)outs[1]->data)[o] =
                        pl * H * W + (col_major ? bx * H + by : by * W + bx);
            }
    }
    free(x);
    return 0;
}

/* Divisor of one window: the taps inside the input, or (count_include_pad)
 * the taps inside the padded input [-pb, in + pe). */
static int64_t taps(const nn_window *w, int i, int64_t start, int include_pad)
{
    int64_t lo = include_pad ? -w->pb[i] : 0, hi = w->in[i] + (include_pad ? w->pe[i] : 0);
    int64_t c = 0;
    for (int64_t k = 0; k < w->k[i]; k++) {
        int64_t v = start + k * w->d[i];
        c += v >= lo && v < hi;
    }
    return c;
}

static int avgpool_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    pool_plan p;
    if (pool_plan_make(a, &p, err))
        return -1;
    double *x = load_doubles(a->in[0].t, err);
    if (!x)
        return -1;
    const nn_window *w = &p.w;
    const int64_t H = w->in[0], W = w->in[1];
    int incl = finn_node_attr_i(a->n, "count_include_pad", 0) != 0;
    int f32 = a->in[0].elem == FINN_ELEM_FLOAT;
    size_t o = 0;
    for (int64_t pl = 0; pl < p.planes; pl++) {
        const double *xp = x + pl * H * W;
        for (int64_t oy = 0; oy < w->out[0]; oy++)
            for (int64_t ox = 0; ox < w->out[1]; ox++, o++) {
                int64_t y0 = oy * w->s[0] - w->pb[0], x0 = ox * w->s[1] - w->pb[1];
                double sum = 0.0;
                for (int64_t ky = 0; ky < w->k[0]; ky++) {
                    int64_t iy = y0 + ky * w->d[0];
                    for (int64_t kx = 0; iy >= 0 && iy < H && kx < w->k[1]; kx++) {
                        int64_t ix = x0 + kx * w->d[1];
                        if (ix >= 0 && ix < W)
                            sum = f32 ? (double)(float)(sum + xp[iy * W + ix])
                                      : sum + xp[iy * W + ix];
                    }
                }
                int64_t cnt = taps(w, 0, y0, incl) * taps(w, 1, x0, incl);
                double v = cnt ? sum / (double)cnt : 0.0;
                store(outs[0], o, f32 ? (double)(float)v : v);
            }
    }
    free(x);
    return 0;
}

/* ---- global pools: one value per (n, c) plane ---------------------------- */
static int global_shape(const nn_args *a, nn_out *out, finn_error *err)
{
    if (nn_need_shape(a, 0, err))
        return -1;
    if (a->in[0].ndim < 2)
        return finn_error_set(err, FINN_ERR_INVALID, "input needs at least 2 dims, has %d",
                              a->in[0].ndim);
    nn_out_like(&out[0], &a->in[0]);
    for (int i = 2; i < out[0].ndim; i++)
        out[0].shape[i] = 1;
    return 0;
}

static int global_exec(const nn_args *a, finn_tensor **outs, int is_max, finn_error *err)
{
    const finn_tensor *t = a->in[0].t;
    size_t planes = (size_t)(t->shape[0] * t->shape[1]);
    size_t area = planes ? finn_tensor_numel(t) / planes : 0;
    int f32 = t->type == FINN_ELEM_FLOAT;
    double *x = load_doubles(t, err);
    if (!x)
        return -1;
    for (size_t pl = 0; pl < planes; pl++) {
        const double *xp = x + pl * area;
        double acc = is_max ? -INFINITY : 0.0;
        for (size_t i = 0; i < area; i++) {
            if (is_max)
                acc = xp[i] > acc ? xp[i] : acc;
            else
                acc = f32 ? (double)(float)(acc + xp[i]) : acc + xp[i];
        }
        if (!is_max && area)
            acc /= (double)area;
        store(outs[0], pl, acc);
    }
    free(x);
    return 0;
}

static int gavg_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    return global_exec(a, outs, 0, err);
}

static int gmax_exec(const nn_args *a, finn_tensor **outs, finn_error *err)
{
    return global_exec(a, outs, 1, err);
}

NN_OP(maxpool, pool_shape, maxpool_exec)
NN_OP(avgpool, pool_shape, avgpool_exec)
NN_OP(global_avgpool, global_shape, gavg_exec)
NN_OP(global_maxpool, global_shape, gmax_exec)
