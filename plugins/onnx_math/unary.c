/*
 * unary.c - elementwise one-input ops: Relu, Sigmoid, Tanh, Sign, Floor,
 * Ceil, Round, Abs, Neg, Exp, Log, Sqrt, Identity, and Clip (bounds as
 * attributes before opset 11, as optional inputs from 11).
 *
 * Floats: computed in double, stored rounded to the element type.
 * Integers (Relu, Sign, Abs, Neg, Clip and the rounding ops, which are the
 * identity on them): computed in int64 and wrapped on store.
 */
#include "onnx_math.h"

#include <float.h>
#include <math.h>
#include <string.h>

typedef double (*ufn)(double x);
typedef int64_t (*uifn)(int64_t x);

static int exec_unary(const finn_node *n, finn_exec_ctx *ctx, ufn f, uifn fi, finn_error *err)
{
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    if (!x)
        return -1;
    finn_tensor *y = finn_tensor_new(x->type, x->ndim, x->shape, err);
    if (!y)
        return -1;
    size_t cnt = finn_tensor_numel(x);
    bool ints = fi && !om_is_float(x->type);
    for (size_t i = 0; i < cnt; i++) {
        if (ints)
            om_set_i64(y, i, fi(om_get_i64(x, i)));
        else
            finn_tensor_set(y, i, f(finn_tensor_get(x, i)));
    }
    return om_set_output(ctx, n, 0, y, err);
}

/* Relu of NaN is 0, like onnxruntime's max(x, 0) kernel. */
static double f_relu(double x) { return x > 0 ? x : 0.0; }
static double f_sigmoid(double x) { return 1.0 / (1.0 + exp(-x)); }
static double f_sign(double x) { return x > 0 ? 1.0 : x < 0 ? -1.0 : x == 0 ? 0.0 : x; }
static double f_neg(double x) { return -x; }
/* Round: half to even (nearbyint in the default rounding mode). */
static double f_round(double x) { return nearbyint(x); }

static int64_t i_relu(int64_t x) { return x > 0 ? x : 0; }
static int64_t i_sign(int64_t x) { return (x > 0) - (x < 0); }
static int64_t i_abs(int64_t x) { return x < 0 ? (int64_t)(0 - (uint64_t)x) : x; }
static int64_t i_neg(int64_t x) { return (int64_t)(0 - (uint64_t)x); }
static int64_t i_identity(int64_t x) { return x; }

#define UN_EXEC(fn, f, fi)                                                               \
    int fn(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err) \
    {                                                                                    \
        (void)m;                                                                         \
        return exec_unary(n, ctx, f, fi, err);                                           \
    }
UN_EXEC(om_exec_relu, f_relu, i_relu)
UN_EXEC(om_exec_sigmoid, f_sigmoid, NULL)
UN_EXEC(om_exec_tanh, tanh, NULL)
UN_EXEC(om_exec_sign, f_sign, i_sign)
UN_EXEC(om_exec_floor, floor, i_identity)
UN_EXEC(om_exec_ceil, ceil, i_identity)
UN_EXEC(om_exec_round, f_round, i_identity)
UN_EXEC(om_exec_abs, fabs, i_abs)
UN_EXEC(om_exec_neg, f_neg, i_neg)
UN_EXEC(om_exec_exp, exp, NULL)
UN_EXEC(om_exec_log, log, NULL)
UN_EXEC(om_exec_sqrt, sqrt, NULL)

/* Identity copies the bytes: exact for every type. */
int om_exec_identity(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                     finn_error *err)
{
    (void)m;
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    finn_tensor *y = x ? finn_tensor_copy(x, err) : NULL;
    return y ? om_set_output(ctx, n, 0, y, err) : -1;
}

/* ---- Clip ----------------------------------------------------------------- */

/* Bound from optional input k (opset >= 11): must hold one element. */
static int clip_bound(const finn_exec_ctx *ctx, const finn_node *n, size_t k,
                      const finn_tensor **out, finn_error *err)
{
    const finn_tensor *t = om_input(ctx, n, k);
    if (t && finn_tensor_numel(t) != 1)
        return finn_error_set(err, FINN_ERR_INVALID, "Clip %s must be a scalar, has %zu elements",
                              k == 1 ? "min" : "max", finn_tensor_numel(t));
    *out = t;
    return 0;
}

/* y = min(max(x, lo), hi): when lo > hi every element becomes hi, as in
 * onnxruntime and the ONNX spec. */
static int clip_float(const finn_tensor *x, finn_tensor *y, double lo, double hi)
{
    for (size_t i = 0, cnt = finn_tensor_numel(x); i < cnt; i++) {
        double v = finn_tensor_get(x, i);
        v = v < lo ? lo : v;
        finn_tensor_set(y, i, v > hi ? hi : v);
    }
    return 0;
}

static void clip_int(const finn_tensor *x, finn_tensor *y, const finn_tensor *lo,
                     const finn_tensor *hi)
{
    bool u = om_is_unsigned(x->type);
    int64_t l = lo ? om_get_i64(lo, 0) : 0, h = hi ? om_get_i64(hi, 0) : 0;
    for (size_t i = 0, cnt = finn_tensor_numel(x); i < cnt; i++) {
        int64_t v = om_get_i64(x, i);
        if (lo && (u ? (uint64_t)v < (uint64_t)l : v < l))
            v = l;
        if (hi && (u ? (uint64_t)v > (uint64_t)h : v > h))
            v = h;
        om_set_i64(y, i, v);
    }
}

int om_exec_clip(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    const finn_tensor *x = om_need_input(ctx, n, 0, err);
    if (!x)
        return -1;
    const finn_tensor *lo = NULL, *hi = NULL;
    bool inputs = om_opset(m) >= 11;
    if (inputs && (clip_bound(ctx, n, 1, &lo, err) || clip_bound(ctx, n, 2, &hi, err)))
        return -1;
    finn_tensor *y = finn_tensor_new(x->type, x->ndim, x->shape, err);
    if (!y)
        return -1;
    if (!om_is_float(x->type) && inputs) {
        clip_int(x, y, lo, hi);
    } else if (inputs) {
        clip_float(x, y, lo ? finn_tensor_get(lo, 0) : -INFINITY,
                   hi ? finn_tensor_get(hi, 0) : INFINITY);
    } else {
        /* opset 6: float attributes, defaults the float range */
        clip_float(x, y, finn_node_attr_f(n, "min", -FLT_MAX), finn_node_attr_f(n, "max", FLT_MAX));
    }
    return om_set_output(ctx, n, 0, y, err);
}
