/*
 * avgpool_trunc.c - FINN's AvgPoolAndTruncToQuantAvgPool (finn-frontend.md
 * 4.3): AveragePool -> Mul(k*k) -> Trunc becomes
 * Div(scale) -> QuantAvgPool2d -> Mul(scale).  One pattern per application.
 */
#include "frontend.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* The single consumer of n's outputs with the given op type, or NULL. */
static finn_node *only_successor(const finn_model *m, const finn_node *n, const char *op)
{
    finn_node *s = NULL;
    if (fe_successors(m, n, &s) != 1 || strcmp(s->op_type, op))
        return NULL;
    return s;
}

static bool all_same(const int64_t *v, size_t n)
{
    for (size_t i = 1; i < n; i++)
        if (v[i] != v[0])
            return false;
    return true;
}

static int signed_from_dtype(finn_datatype dt, int *is_signed)
{
    if (dt.kind == FINN_DT_FLOAT32)
        return 0;
    *is_signed = finn_dt_signed(dt);
    return 1;
}

/* _get_signed_from_upstream: the sign of the Trunc input. */
static int upstream_signed(const finn_model *m, const finn_node *trunc, int *is_signed,
                           finn_error *err)
{
    if (signed_from_dtype(finn_model_datatype(m, trunc->inputs[0]), is_signed))
        return 0;
    static const char *const PRESERVING[] = {"Add", "Mul", "AveragePool", "Pad"};
    const finn_node *cur = trunc;
    for (;;) {
        if (fe_is_join(m, cur))
            return fe_fail(err, trunc, FINN_ERR_UNSUPPORTED,
                           "datatype inference for the Trunc node only supports linear nodes "
                           "in the upstream path");
        const finn_node *p = fe_first_predecessor(m, cur);
        if (!p)
            return fe_fail(err, trunc, FINN_ERR_INVALID,
                           "could not infer the datatype: no upstream nodes");
        if (signed_from_dtype(finn_model_datatype(m, p->outputs[0]), is_signed))
            return 0;
        if (!strcmp(p->op_type, "MultiThreshold")) {
            finn_datatype dt;
            if (finn_dt_parse(finn_node_attr_s(p, "out_dtype", "FLOAT32"), &dt, err))
                return -1;
            if (signed_from_dtype(dt, is_signed))
                return 0;
        }
        if (!strcmp(p->op_type, "BipolarQuant")) {
            *is_signed = 1;
            return 0;
        }
        if (!strcmp(p->op_type, "Quant")) {
            finn_datatype dt;
            if (fe_quant_int_dtype(m, p, &dt, err))
                return -1;
            if (signed_from_dtype(dt, is_signed))
                return 0;
        }
        bool ok = false;
        for (size_t k = 0; k < sizeof PRESERVING / sizeof PRESERVING[0]; k++)
            ok |= !strcmp(p->op_type, PRESERVING[k]);
        if (!ok)
            return fe_fail(err, trunc, FINN_ERR_UNSUPPORTED,
                           "could not infer the sign of the input: upstream node type %s is not "
                           "sign preserving (Add, Mul, AveragePool, Pad)",
                           p->op_type);
        cur = p;
    }
}

typedef struct pool_params {
    int64_t k, stride, ibits, obits;
    int is_signed;
} pool_params;

static int check_pattern(const finn_model *m, const finn_node *ap, const finn_node *mul,
                         const finn_node *tr, pool_params *pp, finn_error *err)
{
    const int64_t *v = NULL;
    size_t n = finn_node_attr_ints(ap, "kernel_shape", &v);
    if (n != 2 || !all_same(v, n))
        return fe_fail(err, ap, FINN_ERR_UNSUPPORTED,
                       "FINN only supports average pooling with 2D square kernels");
    pp->k = v[0];
    n = finn_node_attr_ints(ap, "pads", &v);
    if (n == 0 || !all_same(v, n) || v[0] != 0)
        return fe_fail(err, ap, FINN_ERR_UNSUPPORTED,
                       "FINN doesn't support padding for average pooling");
    n = finn_node_attr_ints(ap, "strides", &v);
    if (n != 2 || !all_same(v, n))
        return fe_fail(err, ap, FINN_ERR_UNSUPPORTED,
                       "FINN only supports 2D strides with equal values in each direction");
    pp->stride = v[0];
    const finn_tensor *mv = finn_model_initializer(m, mul->inputs[1]);
    if (!mv || mv->ndim != 0 || finn_tensor_get(mv, 0) != (double)(pp->k * pp->k))
        return fe_fail(err, mul, FINN_ERR_UNSUPPORTED,
                       "the Mul after the AveragePool must multiply by a 0-d initializer equal "
                       "to the squared kernel size %lld",
                       (long long)(pp->k * pp->k));
    const char *mode = finn_node_attr_s(tr, "rounding_mode", NULL);
    if (!mode || strcasecmp(mode, "FLOOR"))
        return fe_fail(err, tr, FINN_ERR_UNSUPPORTED,
                       "the Trunc node must have the rounding_mode set to 'FLOOR'");
    if (tr->n_inputs < 5)
        return fe_fail(err, tr, FINN_ERR_UNSUPPORTED, "expected the 5-input Trunc layout");
    for (size_t k = 1; k < tr->n_inputs; k++)
        if (!fe_is_init(m, tr->inputs[k]))
            return fe_fail(err, tr, FINN_ERR_UNSUPPORTED,
                           "all inputs but the first must be initializers; %s is not",
                           tr->inputs[k]);
    const finn_tensor *zp = finn_model_initializer(m, tr->inputs[2]);
    if (zp->ndim != 0 || finn_tensor_get(zp, 0) != 0)
        return fe_fail(err, tr, FINN_ERR_UNSUPPORTED, "FINN only supports 0 as the zero point");
    const finn_tensor *ib = finn_model_initializer(m, tr->inputs[3]);
    const finn_tensor *ob = finn_model_initializer(m, tr->inputs[4]);
    if (finn_tensor_numel(ib) < 1 || finn_tensor_numel(ob) < 1)
        return fe_fail(err, tr, FINN_ERR_UNSUPPORTED, "bit widths must be scalars");
    int64_t in_bits = (int64_t)finn_tensor_get(ib, 0);
    pp->obits = (int64_t)finn_tensor_get(ob, 0);
    pp->ibits = (int64_t)floor(log2(pow(2.0, (double)in_bits) / (double)(pp->k * pp->k)));
    return upstream_signed(m, tr, &pp->is_signed, err);
}

static int rewrite(const fe_ctx *c, finn_model *m, finn_node *ap, finn_node *mul, finn_node *tr,
                   size_t idx, const pool_params *pp, finn_error *err)
{
    int rc = -1;
    const finn_tensor *scale = finn_model_initializer(m, tr->inputs[1]);
    char *div_c = fe_new_init_copy(m, scale, err);
    char *div_out = div_c ? fe_new_name(m, err) : NULL;
    char *pool_out = div_out ? fe_new_name(m, err) : NULL;
    char *mul_c = pool_out ? fe_new_init_copy(m, scale, err) : NULL;
    char *out = mul_c ? strdup(tr->outputs[0]) : NULL;
    finn_node *div = NULL, *pool = NULL, *smul = NULL;
    if (!out)
        goto done;
    size_t at = idx + 1;
    div = fe_node("Div", NULL, (const char *const[]){ap->inputs[0], div_c, NULL}, div_out, err);
    if (!div || finn_model_insert_node(m, at++, div, err)) {
        finn_node_free(div);
        goto done;
    }
    pool = fe_node("QuantAvgPool2d", FE_QONNX_DOMAIN, (const char *const[]){div_out, NULL},
                   pool_out, err);
    if (!pool || finn_node_set_attr_i(pool, "stride", pp->stride, err) ||
        finn_node_set_attr_i(pool, "kernel", pp->k, err) ||
        finn_node_set_attr_i(pool, "ibits", pp->ibits, err) ||
        finn_node_set_attr_i(pool, "obits", pp->obits, err) ||
        finn_node_set_attr_i(pool, "signed", pp->is_signed, err) ||
        finn_node_set_attr_s(pool, "data_layout", "NCHW", err) ||
        finn_model_insert_node(m, at++, pool, err)) {
        finn_node_free(pool);
        goto done;
    }
    smul = fe_node("Mul", NULL, (const char *const[]){pool_out, mul_c, NULL}, out, err);
    if (!smul || finn_model_insert_node(m, at++, smul, err)) {
        finn_node_free(smul);
        goto done;
    }
    finn_model_remove_node(m, ap);
    finn_model_remove_node(m, mul);
    finn_model_remove_node(m, tr);
    rc = fe_infer_shapes(c, m, err) || fe_infer_datatypes(c, m, err) ? -1 : 0;
done:
    free(div_c);
    free(div_out);
    free(pool_out);
    free(mul_c);
    free(out);
    return rc;
}

int fe_pass_avgpool_trunc(const fe_ctx *c, finn_model *m, bool *changed, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *ap = m->nodes[i];
        if (strcmp(ap->op_type, "AveragePool"))
            continue;
        finn_node *mul = only_successor(m, ap, "Mul");
        finn_node *tr = mul ? only_successor(m, mul, "Trunc") : NULL;
        if (!tr)
            continue;
        pool_params pp = {0};
        if (check_pattern(m, ap, mul, tr, &pp, err))
            return -1;
        *changed = true;
        return rewrite(c, m, ap, mul, tr, i, &pp, err);
    }
    return 0;
}
