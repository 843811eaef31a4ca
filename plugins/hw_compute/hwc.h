/*
 * hwc.h - private helpers of the hw_compute plugin: the abstract
 * (fpgadataflow) compute layers MVAU, VVAU, Thresholding, ChannelwiseOp,
 * LabelSelect, AddStreams, DuplicateStreams, GlobalAccPool,
 * StreamingEltwise and Lookup (finn-frontend.md 8.4 and 10,
 * finn-backend.md 7 and 10).
 *
 * Conventions:
 * - Attribute readers and execution report plain messages (the executor
 *   prefixes "node 'x' (op): "); the HW hooks called directly (shape,
 *   check_folding) and the inference hooks name the node themselves
 *   through hwc_named().
 * - Width and cycle hooks cannot report errors: they return -1 when an
 *   attribute they need is missing or invalid.
 * - Tensors produced are float32, as FINN's python execution produces.
 */
#ifndef HWC_H
#define HWC_H

#include <finn/plugin.h>

#include <stdint.h>

#define HWC_MAXV FINN_MAX_DIMS

/* ---- errors ---------------------------------------------------------------- */
/* Prefix err with "node '<name>': " unless it names a node already; -1. */
int hwc_named(finn_error *err, const finn_node *n);

/* ---- attributes ---------------------------------------------------------- */
/* Required INT attribute. */
int hwc_req_i(const finn_node *n, const char *name, int64_t *out, finn_error *err);
/* Required INT attribute that must be >= 1. */
int hwc_req_pos(const finn_node *n, const char *name, int64_t *out, finn_error *err);
/* INTS attribute (or the default list); returns the count, -1 if too long
 * (more than max values). */
int hwc_ints(const finn_node *n, const char *name, const int64_t *dflt, int ndflt,
             int64_t *out, int max, finn_error *err);
/* numInputVectors (default [1]); returns the count or -1. */
int hwc_vecs(const finn_node *n, int64_t *vecs, finn_error *err);
int64_t hwc_prod(const int64_t *v, int count);
/* Required datatype-name attribute. */
int hwc_dt(const finn_node *n, const char *attr, finn_datatype *out, finn_error *err);
/* Bit width of a datatype attribute; -1 if absent or invalid. */
int64_t hwc_bits(const finn_node *n, const char *attr);
/* String attribute that must be one of the NULL-terminated allowed list. */
int hwc_choice(const finn_node *n, const char *name, const char *dflt,
               const char *const *allowed, const char **out, finn_error *err);

/* ---- shapes ---------------------------------------------------------------- */
/* shape = vecs + tail; error if it would exceed FINN_MAX_DIMS. */
int hwc_shape_cat(const int64_t *vecs, int nv, const int64_t *tail, int ntail, int *ndim,
                  int64_t *shape, finn_error *err);
/* Set the shape of output k (FINN's make_const_shape_op). */
int hwc_set_out_shape(finn_model *m, const finn_node *n, size_t k, finn_elem_type elem,
                      int ndim, const int64_t *shape, finn_error *err);
/* When input k's shape is known, it must equal the expected shape. */
int hwc_expect_in_shape(const finn_model *m, const finn_node *n, size_t k, int ndim,
                        const int64_t *shape, finn_error *err);
/* "attr = v must divide what = total; allowed values: 1, 2, ..." */
int hwc_check_div(const finn_node *n, const char *attr, int64_t v, const char *what,
                  int64_t total, finn_error *err);

/* ---- datatypes ------------------------------------------------------------- */
/* Copy input k's annotation (FLOAT32 when absent) into attribute attr. */
int hwc_copy_in_dt(finn_model *m, finn_node *n, size_t k, const char *attr, finn_datatype *dt,
                   finn_error *err);
int hwc_set_out_dt(finn_model *m, const finn_node *n, size_t k, finn_datatype dt,
                   finn_error *err);

/* ---- execution ------------------------------------------------------------- */
/* Input k from the context (error if missing). */
const finn_tensor *hwc_in(const finn_exec_ctx *ctx, const finn_node *n, size_t k,
                          finn_error *err);
/* The values of t as float32: t's own buffer when t is float32 (*owned 0),
 * else a converted copy (*owned 1, free it). */
const float *hwc_floats(const finn_tensor *t, int *owned, finn_error *err);
/* Store y as output k; when the model knows a different shape with the same
 * element count, y is reshaped to it (FINN reshapes to the context shape). */
int hwc_store(const finn_model *m, const finn_node *n, size_t k, finn_exec_ctx *ctx,
              finn_tensor *y, finn_error *err);
/* qonnx multithreshold in place on float32 y: channel axis 1, except that a
 * 4-D tensor uses its last axis (FINN views NHWC as NCHW for it);
 * y = scale * #{j: y >= T[c][j]} + bias. */
int hwc_threshold(finn_tensor *y, const finn_tensor *t, float scale, float bias,
                  finn_error *err);

/* ---- the NumChannels / PE family (AddStreams, ChannelwiseOp, ...) -------- */
typedef struct hwc_chpe {
    int64_t pe, ch;
    int64_t vecs[HWC_MAXV];
    int nv;
} hwc_chpe;
/* PE, NumChannels (both >= 1) and numInputVectors. */
int hwc_chpe_get(const finn_node *n, hwc_chpe *p, finn_error *err);
/* normal: vecs + [C]; folded: vecs + [C/PE, PE].  strict: a PE that does
 * not divide C is an error (FINN asserts it there), else C // PE. */
int hwc_chpe_shape(const finn_node *n, finn_hw_shape_kind kind, bool strict, int *ndim,
                   int64_t *shape, finn_error *err);
/* prod(vecs) * (C // PE); -1 on bad attributes (or PE not dividing C when strict). */
int64_t hwc_chpe_cycles(const finn_node *n, bool strict);
int hwc_chpe_check_folding(const finn_model *m, const finn_node *n, finn_error *err);
/* PE * bitwidth(attr); -1 when either is missing. */
int64_t hwc_pe_width(const finn_node *n, const char *attr);

/* ---- the op tables --------------------------------------------------------- */
extern const finn_op hwc_mvau_op, hwc_vvau_op, hwc_thresholding_op, hwc_labelselect_op,
    hwc_channelwise_op, hwc_addstreams_op, hwc_duplicatestreams_op, hwc_globalaccpool_op,
    hwc_eltwise_op, hwc_lookup_op;

#endif
