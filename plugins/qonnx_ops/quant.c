/*
 * quant.c - Quant (= IntQuant) and BipolarQuant (finn-frontend.md 3.1, 3.2).
 *
 * Quant: y = x/scale + zeropt; 1-bit signed -> y >= 0 ? +1 : -1; otherwise
 * clamp to the (signed, narrow, bit_width) integer range, then round;
 * out = (y - zeropt) * scale.  All four inputs broadcast numpy-style, in
 * float32 arithmetic as QONNX's numpy code does.
 */
#include "qonnx_common.h"

#include <math.h>
#include <stdio.h>

/* Output keeps an existing elem type, else float32 (QONNX's Cast stand-in). */
static int quant_shapes(finn_model *m, finn_node *n, finn_error *err)
{
    const finn_value *out = n->n_outputs ? finn_model_value(m, n->outputs[0]) : NULL;
    finn_elem_type elem =
        out && out->elem != FINN_ELEM_UNDEFINED ? out->elem : FINN_ELEM_FLOAT;
    return qo_shape_like_input(m, n, elem, err);
}

/* QONNX get_output_dtype: any failed precondition means FLOAT32. */
static int quant_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    const char *sn = finn_node_input(n, 1), *zn = finn_node_input(n, 2),
               *bn = finn_node_input(n, 3);
    const finn_tensor *scale = sn ? finn_model_initializer(m, sn) : NULL;
    const finn_tensor *zp = zn ? finn_model_initializer(m, zn) : NULL;
    const finn_tensor *bw = bn ? finn_model_initializer(m, bn) : NULL;
    if (!scale || !zp || !bw || bw->ndim != 0 || !qo_all_equal(zp, 0.0))
        return qo_set_datatype_name(m, n, 0, "FLOAT32", err);
    double b = finn_tensor_get(bw, 0);
    if (b != floor(b)) /* QONNX asserts an integer bit width */
        return qo_set_datatype_name(m, n, 0, "FLOAT32", err);
    if (b < 1 || b > 64)
        return qo_fail(err, n, FINN_ERR_INVALID, "bit width %g has no FINN datatype", b);
    if (!finn_node_attr(n, "signed"))
        return qo_fail(err, n, FINN_ERR_INVALID, "attribute 'signed' is required");
    int bits = (int)b;
    int is_signed = finn_node_attr_i(n, "signed", 1) != 0;
    char name[32];
    if (!qo_all_equal(scale, 1.0)) /* InferDataTypes turns it into FLOAT32 */
        snprintf(name, sizeof name, "SCALEDINT<%d>", bits);
    else if (bits == 1)
        snprintf(name, sizeof name, "%s", is_signed ? "BIPOLAR" : "BINARY");
    else
        snprintf(name, sizeof name, "%sINT%d", is_signed ? "" : "U", bits);
    return qo_set_datatype_name(m, n, 0, name, err);
}

/* The integer range of a bit width, remembered for the last width seen:
 * a tensor almost always has one bit width, and pow() per element would
 * dominate the run time. */
typedef struct range_memo {
    float bw, lo, hi;
    int valid;
} range_memo;

/* nearbyintf (ties to even, default rounding mode) without a library call:
 * below 2^22 in magnitude, adding and subtracting 1.5 * 2^23 rounds to an
 * integer in float32; copysignf keeps the sign of a zero result (-0.3 gives
 * -0.0 as nearbyintf does).  Larger values go to nearbyintf. */
static inline float round_half_even_fast(float y)
{
    const float magic = 12582912.0f; /* 1.5 * 2^23 */
    if (fabsf(y) < 4194304.0f) {     /* 2^22 */
        float t = y + magic; /* no -ffast-math: the compiler keeps both roundings */
        return copysignf(t - magic, y);
    }
    return nearbyintf(y);
}

/* round_half_even_fast for |y| <= 2^22 (a clamped value of at most 22
 * bits): no branch, so the loops below can be vectorised. */
static inline float round_half_even_small(float y)
{
    const float magic = 12582912.0f; /* 1.5 * 2^23 */
    return copysignf((y + magic) - magic, y);
}

/* IntQuant with one scale, zero point and bit width (<= 22) and half-even
 * rounding: int_quant's float32 operations in a loop without dispatch.
 * Not inlined: inside quant_exec the compiler no longer sees that x and y
 * do not overlap and leaves the loop scalar (four times slower). */
static __attribute__((noinline)) void quant_half_even(const float *restrict x, size_t count, float scale, float zp,
                            int is_signed, int narrow, float bw, float *restrict y)
{
    const float lo = (float)qo_min_int(is_signed, narrow, bw);
    const float hi = (float)qo_max_int(is_signed, narrow, bw);
    for (size_t i = 0; i < count; i++) {
        float v = x[i] / scale + zp;
        v = v > hi ? hi : v;
        v = v < lo ? lo : v;
        y[i] = (round_half_even_small(v) - zp) * scale;
    }
}

/* One element of IntQuant, all in float32. */
static float int_quant(float x, float scale, float zp, float bw, int is_signed, int narrow,
                       qo_round mode, range_memo *memo)
{
    float y = x / scale;
    y = y + zp;
    if (bw == 1.0f && is_signed) {
        y = y >= 0.0f ? 1.0f : -1.0f; /* NaN -> -1, as np.where(y >= 0) */
    } else {
        if (!memo->valid || memo->bw != bw) {
            memo->lo = (float)qo_min_int(is_signed, narrow, bw);
            memo->hi = (float)qo_max_int(is_signed, narrow, bw);
            memo->bw = bw;
            memo->valid = 1;
        }
        float lo = memo->lo, hi = memo->hi;
        if (y > hi)
            y = hi;
        if (y < lo)
            y = lo;
        y = mode == QO_ROUND_HALF_EVEN ? round_half_even_fast(y) : qo_round_apply(mode, y);
    }
    y = y - zp;
    return y * scale;
}

static int quant_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                      finn_error *err)
{
    (void)m;
    const finn_tensor *in[4];
    for (size_t k = 0; k < 4; k++)
        if (!(in[k] = qo_input(ctx, n, k, err)))
            return -1;
    if (!finn_node_attr(n, "signed") || !finn_node_attr(n, "narrow"))
        return qo_fail(err, n, FINN_ERR_INVALID, "attributes 'signed' and 'narrow' are required");
    int is_signed = finn_node_attr_i(n, "signed", 1) != 0;
    int narrow = finn_node_attr_i(n, "narrow", 1) != 0;
    qo_round mode;
    if (qo_rounding_parse(finn_node_attr_s(n, "rounding_mode", "ROUND"), &mode, n, err))
        return -1;
    finn_bcast b;
    if (qo_bcast_init(&b, in, 4, n, err))
        return -1;
    qo_floats f[4] = {{0}};
    int rc = -1;
    for (size_t k = 0; k < 4; k++)
        if (qo_floats_get(in[k], &f[k], err))
            goto out;
    /* every path below writes every element */
    finn_tensor *y = qo_output_new_uninit(ctx, n, 0, FINN_ELEM_FLOAT, b.ndim, b.shape, err);
    if (!y)
        goto out;
    float *yv = y->data;
    range_memo memo = {0};
    const bool fast = mode == QO_ROUND_HALF_EVEN && finn_tensor_numel(in[2]) == 1 &&
                      finn_tensor_numel(in[3]) == 1 && !(f[3].v[0] == 1.0f && is_signed) &&
                      f[3].v[0] <= 22.0f;
    if (fast && finn_tensor_numel(in[0]) == b.numel && finn_tensor_numel(in[1]) == 1) {
        /* one scale, zero point and bit width, default rounding (weight
         * quantizers with a per-tensor scale) */
        quant_half_even(f[0].v, b.numel, f[1].v[0], f[2].v[0], is_signed, narrow, f[3].v[0],
                        yv);
    } else if (finn_tensor_numel(in[0]) == b.numel && finn_tensor_numel(in[1]) == 1 &&
               finn_tensor_numel(in[2]) == 1 && finn_tensor_numel(in[3]) == 1) {
        /* per-tensor parameters: no broadcast indexing needed */
        for (size_t i = 0; i < b.numel; i++)
            yv[i] = int_quant(f[0].v[i], f[1].v[0], f[2].v[0], f[3].v[0], is_signed, narrow,
                              mode, &memo);
    } else if (fast) {
        /* per-channel scale, one zero point and bit width, default rounding
         * (the weight quantizers of every Brevitas export): the same float32
         * operations as int_quant, without per-element dispatch */
        const float zp = f[2].v[0];
        const float lo = (float)qo_min_int(is_signed, narrow, f[3].v[0]);
        const float hi = (float)qo_max_int(is_signed, narrow, f[3].v[0]);
        size_t ctr[FINN_MAX_DIMS] = {0}, ix[4] = {0};
        for (size_t i = 0; i < b.numel; i++, finn_bcast_next(&b, ctr, ix)) {
            const float sc = f[1].v[ix[1]];
            float v = f[0].v[ix[0]] / sc + zp;
            v = v > hi ? hi : v;
            v = v < lo ? lo : v;
            yv[i] = (round_half_even_small(v) - zp) * sc;
        }
    } else {
        size_t ctr[FINN_MAX_DIMS] = {0}, ix[4] = {0};
        for (size_t i = 0; i < b.numel; i++, finn_bcast_next(&b, ctr, ix)) {
            yv[i] = int_quant(f[0].v[ix[0]], f[1].v[ix[1]], f[2].v[ix[2]], f[3].v[ix[3]],
                              is_signed, narrow, mode, &memo);
        }
    }
    rc = 0;
out:
    for (size_t k = 0; k < 4; k++)
        qo_floats_release(&f[k]);
    return rc;
}

/* ---- BipolarQuant: (x >= 0 ? +1 : -1) * scale ---------------------------- */

static int bipolar_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    const char *sn = finn_node_input(n, 1);
    const finn_tensor *scale = sn ? finn_model_initializer(m, sn) : NULL;
    /* QONNX: np.all(None == 1.0) is False, so a dynamic scale gives FLOAT32 */
    return qo_set_datatype_name(m, n, 0, scale && qo_all_equal(scale, 1.0) ? "BIPOLAR" : "FLOAT32",
                                err);
}

static int bipolar_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                        finn_error *err)
{
    (void)m;
    const finn_tensor *in[2];
    for (size_t k = 0; k < 2; k++)
        if (!(in[k] = qo_input(ctx, n, k, err)))
            return -1;
    finn_bcast b;
    if (qo_bcast_init(&b, in, 2, n, err))
        return -1;
    qo_floats f[2] = {{0}};
    int rc = -1;
    for (size_t k = 0; k < 2; k++)
        if (qo_floats_get(in[k], &f[k], err))
            goto out;
    finn_tensor *y = qo_output_new(ctx, n, 0, FINN_ELEM_FLOAT, b.ndim, b.shape, err);
    if (!y)
        goto out;
    float *yv = y->data;
    size_t ctr[FINN_MAX_DIMS] = {0}, ix[2] = {0};
    for (size_t i = 0; i < b.numel; i++, finn_bcast_next(&b, ctr, ix)) {
        yv[i] = (f[0].v[ix[0]] >= 0.0f ? 1.0f : -1.0f) * f[1].v[ix[1]];
    }
    rc = 0;
out:
    for (size_t k = 0; k < 2; k++)
        qo_floats_release(&f[k]);
    return rc;
}

const finn_op qo_quant_ops[] = {
    {QONNX_DOMAIN, "Quant", quant_shapes, quant_datatypes, quant_exec, NULL},
    {QONNX_DOMAIN, "IntQuant", quant_shapes, quant_datatypes, quant_exec, NULL},
    {QONNX_DOMAIN, "BipolarQuant", qo_shapes_identity, bipolar_datatypes, bipolar_exec, NULL},
};
const size_t qo_quant_ops_count = sizeof qo_quant_ops / sizeof qo_quant_ops[0];
