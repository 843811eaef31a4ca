/*
 * floatquant.c - FloatQuant, minifloat quantization (finn-frontend.md 3.4,
 * QONNX floatquant.py).
 *
 * Inputs x, scale, exponent_bitwidth, mantissa_bitwidth, exponent_bias,
 * max_val; attributes rounding_mode (ROUND), has_inf, has_nan,
 * has_subnormal, saturation.  Per element, in float32 as numpy does:
 *   X = x / scale
 *   e = max(floor(log2(|X| + FLT_MIN)) - m, 1 - bias - m);  s = 2^e
 *   q = s * round(X / s)
 *   clip q to [-maxv, maxv], maxv = min(max of FLOAT<e,m,bias>, max_val)
 *   not saturating: beyond-range values become +-inf (has_inf) or NaN (has_nan)
 *   out = q * scale
 * The format is always signed (QONNX hard-codes signed=True).
 */
#include "qonnx_common.h"

#include <float.h>
#include <math.h>
#include <stdio.h>

typedef struct fq_params {
    qo_round mode;
    int has_inf, has_nan, saturation;
    int has_max_val; /* 6th input present */
} fq_params;

/* QONNX compute_max_val: (sum_{i=0..m} 2^-i) * 2^(2^e - 1 - bias), in double. */
static double fq_format_max(double ebits, double mbits, double bias)
{
    double max_exp = exp2(ebits) - 1.0 - bias;
    double mant = 0.0;
    for (double i = 0.0; i > -mbits - 1.0; i -= 1.0) /* np.arange(0, -m-1, -1) */
        mant += exp2(i);
    return mant * exp2(max_exp);
}

/* np.maximum / np.minimum propagate NaN. */
static double np_max(double a, double b)
{
    return isnan(a) || isnan(b) ? NAN : (a > b ? a : b);
}

static double np_min(double a, double b)
{
    return isnan(a) || isnan(b) ? NAN : (a < b ? a : b);
}

/* a: x, scale, ebits, mbits, bias, max_val.  Returns -1 when the node
 * neither saturates nor has inf/nan values to clamp to. */
static int fq_one(const float *a, const fq_params *p, float *out)
{
    float X = a[0] / a[1];
    float mbits = a[3], bias = a[4];
    float scale_min = 1.0f - bias - mbits;
    float e = floorf(log2f(fabsf(X) + FLT_MIN)) - mbits;
    e = (float)np_max(e, scale_min);
    float s = exp2f(e);
    float q = s * qo_round_apply(p->mode, X / s);
    double maxv = fq_format_max(a[2], mbits, bias);
    if (p->has_max_val)
        maxv = np_min(maxv, a[5]);
    double minv = -maxv;
    /* masks are taken before clipping, as in QONNX */
    int is_inf = isinf(q), above = q > maxv, below = q < minv;
    double c = q;
    if (c > maxv) /* np.clip */
        c = maxv;
    if (c < minv)
        c = minv;
    if (!p->saturation) {
        if (p->has_inf) {
            if (above)
                c = INFINITY;
            if (below)
                c = -INFINITY;
        } else if (p->has_nan) {
            if (above || below || is_inf)
                c = NAN;
        } else {
            return -1;
        }
    }
    /* the double product of two floats rounds like the float32 one */
    *out = (float)(c * (double)a[1]);
    return 0;
}

static int fq_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *err)
{
    (void)m;
    fq_params p;
    p.has_max_val = finn_node_input(n, 5) != NULL;
    size_t nin = p.has_max_val ? 6 : 5;
    const finn_tensor *in[6];
    for (size_t k = 0; k < nin; k++)
        if (!(in[k] = qo_input(ctx, n, k, err)))
            return -1;
    if (qo_rounding_parse(finn_node_attr_s(n, "rounding_mode", "ROUND"), &p.mode, n, err))
        return -1;
    p.has_inf = finn_node_attr_i(n, "has_inf", 0) != 0;
    p.has_nan = finn_node_attr_i(n, "has_nan", 0) != 0;
    p.saturation = finn_node_attr_i(n, "saturation", 1) != 0;
    finn_bcast b;
    if (qo_bcast_init(&b, in, nin, n, err))
        return -1;
    qo_floats f[6] = {{0}};
    int rc = -1;
    for (size_t k = 0; k < nin; k++)
        if (qo_floats_get(in[k], &f[k], err))
            goto out;
    finn_tensor *y = qo_output_new(ctx, n, 0, FINN_ELEM_FLOAT, b.ndim, b.shape, err);
    if (!y)
        goto out;
    float *yv = y->data;
    for (size_t i = 0; i < b.numel; i++) {
        size_t ix[6];
        float a[6] = {0};
        finn_bcast_index(&b, i, ix);
        for (size_t k = 0; k < nin; k++)
            a[k] = f[k].v[ix[k]];
        if (fq_one(a, &p, &yv[i])) {
            qo_fail(err, n, FINN_ERR_INVALID,
                    "saturation=0 needs has_inf=1 or has_nan=1 to clamp out-of-range values");
            goto out;
        }
    }
    rc = 0;
out:
    for (size_t k = 0; k < nin; k++)
        qo_floats_release(&f[k]);
    return rc;
}

/* Scalar integer-valued initializer (ndim 0) of input k, as QONNX asserts. */
static int fq_scalar(const finn_model *m, const finn_node *n, size_t k, int integral, double *v)
{
    const char *name = finn_node_input(n, k);
    const finn_tensor *t = name ? finn_model_initializer(m, name) : NULL;
    if (!t || t->ndim != 0)
        return -1;
    *v = finn_tensor_get(t, 0);
    return integral && *v != floor(*v) ? -1 : 0;
}

/* FLOAT<e,m,bias> when scale is all ones and the format parameters are
 * scalar initializers; FLOAT32 otherwise. */
static int fq_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    const char *sn = finn_node_input(n, 1);
    const finn_tensor *scale = sn ? finn_model_initializer(m, sn) : NULL;
    double e, mb, bias, maxv;
    if (!scale || fq_scalar(m, n, 2, 1, &e) || fq_scalar(m, n, 3, 1, &mb) ||
        fq_scalar(m, n, 4, 1, &bias) || fq_scalar(m, n, 5, 0, &maxv) || !qo_all_equal(scale, 1.0))
        return qo_set_datatype_name(m, n, 0, "FLOAT32", err);
    char name[64];
    snprintf(name, sizeof name, "FLOAT<%.0f,%.0f,%.0f>", e, mb, bias);
    return qo_set_datatype_name(m, n, 0, name, err);
}

static int fq_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    return qo_shape_like_input(m, n, FINN_ELEM_FLOAT, err);
}

const finn_op qo_floatquant_op = {QONNX_DOMAIN, "FloatQuant", fq_shapes, fq_datatypes, fq_exec,
                                  NULL};
