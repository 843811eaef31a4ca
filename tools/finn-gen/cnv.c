/*
 * cnv.c - the bnn-pynq CNV network (6 convs, 2 max-pools, 3 FCs) as a
 * cleaned Brevitas QONNX export: docs/bnn-pynq-topologies.md section 3.
 */
#include <stdlib.h>
#include <string.h>

#include "gen.h"

#define CNV_CONVS 6
#define CNV_FCS 3

static const int64_t conv_ch[CNV_CONVS + 1] = {3, 64, 64, 128, 128, 256, 256};
static const int64_t fc_ch[CNV_FCS + 1] = {256, 512, 512, 10};
static const float cnv_bn_eps = 1e-4f;

/* conv1 and conv3 are followed by a 2x2 max-pool */
static bool pool_after(int i)
{
    return i == 1 || i == 3;
}

static int add_weights(gen_ctx *g, const gen_config *c, gen_weight *w)
{
    gen_quant wq = gen_quant_narrow(c->wbits);
    for (int i = 0; i < CNV_CONVS; i++) {
        int64_t shape[4] = {conv_ch[i + 1], conv_ch[i], 3, 3};
        if (gen_weight_quant(g, 4, shape, false, wq, &w[i]))
            return -1;
    }
    for (int i = 0; i < CNV_FCS; i++) {
        int64_t shape[2] = {fc_ch[i], fc_ch[i + 1]};
        if (gen_weight_quant(g, 2, shape, true, wq, &w[CNV_CONVS + i]))
            return -1;
    }
    return 0;
}

static int build(gen_ctx *g, const gen_config *c, gen_weight *w)
{
    int64_t s[4] = {1, 3, 32, 32};
    gen_quant aq = gen_quant_narrow(c->abits), iq = gen_quant_fixed(c->inbits ? c->inbits : 8);
    /* level 0 of the sorted export: Mul(2.0), then all weight quantizers */
    const char *t = gen_const_op(g, "Mul", "global_in", 0, 2.0f, 4, s);
    if (!t || add_weights(g, c, w))
        return -1;
    if (!(t = gen_const_op(g, "Sub", t, 1, 1.0f, 4, s)) || !(t = gen_act_quant(g, t, iq, 4, s)))
        return -1;
    double ex2 = gen_quant_ex2(iq);
    for (int i = 0; i < CNV_CONVS; i++) {
        s[1] = conv_ch[i + 1];
        s[2] -= 2;
        s[3] -= 2;
        if (!(t = gen_conv3x3(g, t, w[i].out, 4, s)) ||
            !(t = gen_batchnorm(g, t, &w[i], ex2, cnv_bn_eps, 4, s)) ||
            !(t = gen_act_quant(g, t, aq, 4, s)))
            return -1;
        ex2 = gen_quant_ex2(aq);
        if (pool_after(i)) {
            s[2] /= 2;
            s[3] /= 2;
            if (!(t = gen_maxpool2x2(g, t, s)))
                return -1;
        }
    }
    if (!(t = gen_reshape_flat(g, t, fc_ch[0])))
        return -1;
    for (int i = 0; i < CNV_FCS - 1; i++) {
        int64_t f[2] = {1, fc_ch[i + 1]};
        const gen_weight *wi = &w[CNV_CONVS + i];
        if (!(t = gen_matmul(g, t, wi->out, fc_ch[i + 1])) ||
            !(t = gen_batchnorm(g, t, wi, ex2, cnv_bn_eps, 2, f)) ||
            !(t = gen_act_quant(g, t, aq, 2, f)))
            return -1;
    }
    const gen_weight *last = &w[CNV_CONVS + CNV_FCS - 1];
    if (!(t = gen_matmul(g, t, last->out, fc_ch[CNV_FCS])))
        return -1;
    return gen_tensornorm(g, t, last, ex2, fc_ch[CNV_FCS]);
}

finn_model *gen_cnv(const gen_config *c, finn_error *err)
{
    int64_t in[4] = {1, 3, 32, 32};
    gen_ctx g;
    memset(&g, 0, sizeof g);
    g.err = err;
    g.untrained = c->untrained;
    rng_seed(&g.rng, c->seed);
    if (!(g.m = gen_model_new(4, in, err)))
        return NULL;
    gen_weight w[CNV_CONVS + CNV_FCS];
    memset(w, 0, sizeof w);
    int rc = build(&g, c, w);
    for (int i = 0; i < CNV_CONVS + CNV_FCS; i++)
        free(w[i].sumsq);
    if (rc) {
        finn_model_free(g.m);
        return NULL;
    }
    return g.m;
}
