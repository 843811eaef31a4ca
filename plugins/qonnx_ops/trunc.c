/*
 * trunc.c - Trunc, versions 1 and 2 (finn-frontend.md 3.3).  The version
 * is the model's opset import of the node's domain, falling back to 1; the
 * highest version <= that is used, so 2 and above mean v2.
 *
 * v1 inputs: x, scale, zeropt, in_bits, out_bits
 *    y = rint(x/scale + zp) / 2^(in_bits - out_bits); rounding;
 *    out = (y - zp) * scale                              (no clamp)
 * v2 inputs: x, scale, zeropt, in_bits, out_scale, out_bits (+ signed, narrow)
 *    t = 2^rint(log2(out_scale/scale)); y = rint(x/scale + zp) / t;
 *    clamp to (signed, narrow, out_bits); rounding; out = (y - zp/t) * out_scale
 * All in float32, as QONNX's numpy code.
 */
#include "qonnx_common.h"

#include <math.h>

typedef struct trunc_params {
    int v2;
    int is_signed, narrow;
    qo_round mode;
} trunc_params;

static float trunc_v1(const float *a, const trunc_params *p)
{
    /* a: x, scale, zp, in_bits, out_bits */
    float y = qo_round_half_even(a[0] / a[1] + a[2]);
    float tscale = exp2f(a[3] - a[4]);
    y = qo_round_apply(p->mode, y / tscale);
    return (y - a[2]) * a[1];
}

static float trunc_v2(const float *a, const trunc_params *p)
{
    /* a: x, scale, zp, in_bits, out_scale, out_bits */
    float y = qo_round_half_even(a[0] / a[1] + a[2]);
    /* the truncation scale is forced to a power of two */
    float tscale = exp2f(qo_round_half_even(log2f(a[4] / a[1])));
    y = y / tscale;
    float lo = (float)qo_min_int(p->is_signed, p->narrow, a[5]);
    float hi = (float)qo_max_int(p->is_signed, p->narrow, a[5]);
    if (y > hi)
        y = hi;
    if (y < lo)
        y = lo;
    y = qo_round_apply(p->mode, y);
    float out_zp = a[2] / tscale;
    return (y - out_zp) * a[4];
}

static int trunc_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                      finn_error *err)
{
    trunc_params p;
    p.v2 = qo_op_version(m, n) >= 2;
    size_t nin = p.v2 ? 6 : 5;
    if (n->n_inputs < nin)
        return qo_fail(err, n, FINN_ERR_INVALID, "Trunc v%d needs %zu inputs, node has %zu",
                       p.v2 ? 2 : 1, nin, n->n_inputs);
    const finn_tensor *in[6];
    for (size_t k = 0; k < nin; k++)
        if (!(in[k] = qo_input(ctx, n, k, err)))
            return -1;
    if (!finn_node_attr(n, "rounding_mode"))
        return qo_fail(err, n, FINN_ERR_INVALID, "attribute 'rounding_mode' is required");
    if (qo_rounding_parse(finn_node_attr_s(n, "rounding_mode", "FLOOR"), &p.mode, n, err))
        return -1;
    p.is_signed = finn_node_attr_i(n, "signed", 1) != 0;
    p.narrow = finn_node_attr_i(n, "narrow", 0) != 0;
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
        float a[6];
        finn_bcast_index(&b, i, ix);
        for (size_t k = 0; k < nin; k++)
            a[k] = f[k].v[ix[k]];
        yv[i] = p.v2 ? trunc_v2(a, &p) : trunc_v1(a, &p);
    }
    rc = 0;
out:
    for (size_t k = 0; k < nin; k++)
        qo_floats_release(&f[k]);
    return rc;
}

static int trunc_datatypes(finn_model *m, finn_node *n, finn_error *err)
{
    return qo_set_datatype_name(m, n, 0, "FLOAT32", err);
}

const finn_op qo_trunc_op = {QONNX_DOMAIN, "Trunc", qo_shapes_identity, trunc_datatypes,
                             trunc_exec, NULL};
