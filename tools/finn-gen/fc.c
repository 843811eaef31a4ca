/*
 * fc.c - the bnn-pynq fully connected networks TFC/SFC/LFC (784 -> H -> H
 * -> H -> 10) as cleaned Brevitas QONNX exports: docs/bnn-pynq-topologies.md
 * section 4.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define FC_LAYERS 4
#define FC_IN 784
#define FC_CLASSES 10

static const float fc_bn_eps = 1e-5f; /* BatchNorm1d default */

static int build(gen_ctx *g, const gen_config *c, int64_t hidden, gen_weight *w)
{
    int64_t dims[FC_LAYERS + 1] = {FC_IN, hidden, hidden, hidden, FC_CLASSES};
    gen_quant wq = gen_quant_narrow(c->wbits), aq = gen_quant_narrow(c->abits);
    /* FC nets quantize their input like an activation, with I = A by default */
    gen_quant iq = gen_quant_narrow(c->inbits ? c->inbits : c->abits);
    int64_t f[2] = {1, FC_IN};
    /* level 0 of the sorted export: Reshape, then all weight quantizers */
    const char *t = gen_reshape_flat(g, "global_in", FC_IN);
    if (!t)
        return -1;
    for (int i = 0; i < FC_LAYERS; i++) {
        int64_t shape[2] = {dims[i], dims[i + 1]};
        if (gen_weight_quant(g, 2, shape, true, wq, &w[i]))
            return -1;
    }
    if (!(t = gen_const_op(g, "Mul", t, 0, 2.0f, 2, f)) ||
        !(t = gen_const_op(g, "Sub", t, 1, 1.0f, 2, f)) || !(t = gen_act_quant(g, t, iq, 2, f)))
        return -1;
    double ex2 = gen_quant_ex2(iq);
    for (int i = 0; i < FC_LAYERS - 1; i++) {
        f[1] = dims[i + 1];
        if (!(t = gen_matmul(g, t, w[i].out, f[1])) ||
            !(t = gen_batchnorm(g, t, &w[i], ex2, fc_bn_eps, 2, f)) ||
            !(t = gen_act_quant(g, t, aq, 2, f)))
            return -1;
        ex2 = gen_quant_ex2(aq);
    }
    if (!(t = gen_matmul(g, t, w[FC_LAYERS - 1].out, FC_CLASSES)))
        return -1;
    return gen_tensornorm(g, t, &w[FC_LAYERS - 1], ex2, FC_CLASSES);
}

finn_model *gen_fc(const gen_config *c, int64_t hidden, finn_error *err)
{
    int64_t in[4] = {1, 1, 28, 28};
    gen_ctx g;
    memset(&g, 0, sizeof g);
    g.err = err;
    g.untrained = c->untrained;
    rng_seed(&g.rng, c->seed);
    if (!(g.m = gen_model_new(4, in, err)))
        return NULL;
    gen_weight w[FC_LAYERS];
    memset(w, 0, sizeof w);
    int rc = build(&g, c, hidden, w);
    for (int i = 0; i < FC_LAYERS; i++)
        free(w[i].sumsq);
    if (rc) {
        finn_model_free(g.m);
        return NULL;
    }
    return g.m;
}
