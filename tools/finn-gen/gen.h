/*
 * gen.h - private to finn-gen: the seeded PRNG, the generation context and
 * the helpers that append Brevitas-named node groups to a model.
 *
 * Nodes are appended in the final graph order of a cleaned Brevitas export
 * (qonnx cleanup's level sort puts every weight quantizer next to the first
 * node that reads the graph input), so names can be given at creation:
 * "<OpType>_<k>" with k counting per op type, outputs "<node>_out0" and
 * initializer inputs "<node>_param<i>".  See docs: bnn-pynq-topologies.md.
 */
#ifndef FINN_GEN_H
#define FINN_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include <finn/model.h>

/* ---- rng.c: splitmix64, integer/double draws only (no libm), so the same
 * seed gives the same bytes on every machine. ------------------------------ */
typedef struct gen_rng {
    uint64_t state;
} gen_rng;

void rng_seed(gen_rng *r, uint64_t seed);
uint64_t rng_next(gen_rng *r);
double rng_uniform(gen_rng *r);                     /* [0, 1) */
double rng_range(gen_rng *r, double lo, double hi); /* [lo, hi) */
uint64_t rng_below(gen_rng *r, uint64_t n);         /* [0, n), n > 0 */

/* ---- quantizer settings (bnn_pynq common.py) ------------------------------ */
typedef struct gen_quant {
    int bits;     /* 1 = BipolarQuant */
    int narrow;   /* narrow_range */
    float scale;  /* constant scale */
} gen_quant;

/* Weight or activation quantizer of W/A bits: BipolarQuant for 1, else a
 * narrow signed Quant with scale 1/(2^(b-1)-1). */
gen_quant gen_quant_narrow(int bits);
/* CNV's input quantizer: Q1.(I-1), scale 2^-(I-1), not narrow. */
gen_quant gen_quant_fixed(int bits);

/* ---- generation context ---------------------------------------------------- */
#define GEN_MAX_OPS 16

typedef struct gen_ctx {
    finn_model *m;
    gen_rng rng;
    bool untrained;       /* BN/TensorNorm as a fresh Brevitas model */
    finn_error *err;
    size_t n_ops;
    struct {
        char op[32];
        int count;
    } ops[GEN_MAX_OPS];
} gen_ctx;

/* A network's weight-quantizer outputs and the per-output-channel sum of
 * squared weights (for realistic BatchNorm statistics). */
typedef struct gen_weight {
    const char *out;   /* tensor name, owned by the model */
    double *sumsq;     /* [channels], owned by the caller (free) */
    int64_t channels;
} gen_weight;

/* layers.c ------------------------------------------------------------------
 * Every function returns the output tensor name (owned by the model; valid
 * until the node is changed) or NULL with g->err set. */

/* Model with the export's header fields and the graph input global_in. */
finn_model *gen_model_new(int ndim, const int64_t *in_shape, finn_error *err);
/* Weight quantizer on a seeded weight tensor: Conv [O,I,kh,kw] (fc = false)
 * or MatMul [in,out] (fc = true); every integer level occurs at least once. */
int gen_weight_quant(gen_ctx *g, int ndim, const int64_t *shape, bool fc, gen_quant q,
                     gen_weight *w);
/* Activation/input quantizer. */
const char *gen_act_quant(gen_ctx *g, const char *in, gen_quant q, int ndim,
                          const int64_t *shape);
/* Elementwise op with a constant second input of shape [] (ndim 0) or [1]. */
const char *gen_const_op(gen_ctx *g, const char *op, const char *in, int const_ndim, float v,
                         int ndim, const int64_t *shape);
const char *gen_reshape_flat(gen_ctx *g, const char *in, int64_t features);
const char *gen_conv3x3(gen_ctx *g, const char *in, const char *w, int ndim,
                        const int64_t *out_shape);
const char *gen_matmul(gen_ctx *g, const char *in, const char *w, int64_t out_features);
/* BatchNormalization with running statistics that fit the preceding
 * layer: var ~ sum_i w_i^2 * E[x^2]. */
const char *gen_batchnorm(gen_ctx *g, const char *in, const gen_weight *w, double in_ex2,
                          float eps, int ndim, const int64_t *shape);
const char *gen_maxpool2x2(gen_ctx *g, const char *in, const int64_t *out_shape);
/* TensorNorm (Sub, Div, Mul, Add) ending in the graph output global_out. */
int gen_tensornorm(gen_ctx *g, const char *in, const gen_weight *w, double in_ex2,
                   int64_t classes);
/* E[x^2] of a quantizer's output, roughly (levels used evenly). */
double gen_quant_ex2(gen_quant q);

/* ---- networks (cnv.c, fc.c) -------------------------------------------------- */
typedef struct gen_config {
    int wbits, abits, inbits;  /* inbits 0 = network default */
    uint64_t seed;
    bool untrained;
} gen_config;

finn_model *gen_cnv(const gen_config *c, finn_error *err);
/* hidden = 64 (TFC), 256 (SFC), 1024 (LFC) */
finn_model *gen_fc(const gen_config *c, int64_t hidden, finn_error *err);

/* Sample inputs as the datasets look, scaled to [0, 1]: CIFAR-10-like
 * (1,3,32,32) or MNIST-like (1,1,28,28). */
finn_tensor *gen_input_cifar(uint64_t seed, finn_error *err);
finn_tensor *gen_input_mnist(uint64_t seed, finn_error *err);

#endif
