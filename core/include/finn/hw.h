/*
 * hw.h - the extension table of hardware (fpgadataflow) ops.
 *
 * A HW op is an ordinary finn_op (execution, shape and datatype inference)
 * whose `ext` points to a finn_hw_op.  The abstract layer (domain
 * "finn.custom_op.fpgadataflow", op_type "MVAU") and each implementation
 * variant (domain "finn.custom_op.fpgadataflow.hls", op_type "MVAU_hls";
 * ".rtl", "MVAU_rtl") are separate registry entries.  A variant's table
 * names its base and fills only what differs (resources, code generation);
 * every hook left NULL falls back to the base op's hook, so adding a
 * variant or an estimate is adding functions, never reshaping the registry.
 *
 * Use the finn_hw_* functions below rather than calling hooks directly:
 * they resolve the variant -> base fallback.
 */
#ifndef FINN_HW_H
#define FINN_HW_H

#include <stdbool.h>
#include <stdint.h>
#include "finn/error.h"
#include "finn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct finn_registry finn_registry;

#define FINN_HW_DOMAIN "finn.custom_op.fpgadataflow"
#define FINN_HW_DOMAIN_HLS "finn.custom_op.fpgadataflow.hls"
#define FINN_HW_DOMAIN_RTL "finn.custom_op.fpgadataflow.rtl"

typedef enum finn_hw_shape_kind {
    FINN_HW_NORMAL_IN,
    FINN_HW_NORMAL_OUT,
    FINN_HW_FOLDED_IN,
    FINN_HW_FOLDED_OUT
} finn_hw_shape_kind;

/* Resource estimate of one layer (FINN's node_res_estimation keys). */
typedef struct finn_hw_res {
    double lut;
    double bram_18k;
    double uram;
    double dsp;
    double bram_efficiency; /* -1 when FINN does not report it */
    double uram_efficiency;
} finn_hw_res;

/* One attribute a HW op knows, with FINN's type and default (as text;
 * NULL = required). type uses finn_attr_type (INT, STRING, INTS, ...). */
typedef struct finn_hw_attr {
    const char *name;
    int type;
    const char *dflt;
} finn_hw_attr;

typedef struct finn_hw_op {
    const char *base;        /* generic op_type, e.g. "MVAU" */
    const char *impl;        /* NULL for the abstract layer, "hls" or "rtl" */
    const finn_hw_attr *attrs; /* own attributes, NULL-name terminated */

    /* Shapes by kind and stream index; ndim and shape written. */
    int (*shape)(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind, size_t index,
                 int *ndim, int64_t *shape, finn_error *err);
    /* Stream widths in bits (input: index = input stream; output likewise). */
    int64_t (*instream_width)(const finn_model *m, const finn_node *n, size_t index);
    int64_t (*outstream_width)(const finn_model *m, const finn_node *n, size_t index);
    /* FINN's get_exp_cycles. */
    int64_t (*exp_cycles)(const finn_model *m, const finn_node *n);
    /* FINN's node_res_estimation for fpga_part. */
    int (*resources)(const finn_model *m, const finn_node *n, const char *fpga_part,
                     finn_hw_res *out, finn_error *err);
    /* Check PE/SIMD/... against the layer's constraints; the message names
     * node, attribute, value and the allowed values. */
    int (*check_folding)(const finn_model *m, const finn_node *n, finn_error *err);
    /* The folding attributes SetFolding/apply_folding_config may set. */
    const char *const *folding_attrs;
} finn_hw_op;

/* The abstract op behind a variant op (NULL when op is not a HW variant).
 * The executor and the inference passes use it for hooks a variant leaves
 * NULL (execute, infer_shapes, infer_datatypes). */
struct finn_op;
const struct finn_op *finn_hw_base_op(const finn_registry *reg, const struct finn_op *op);

/* The HW table of a node (NULL if it is not a HW op). */
const finn_hw_op *finn_hw_op_of(const finn_registry *reg, const finn_node *n);
/* A node is a dataflow node when its op is a HW op and backend=="fpgadataflow". */
bool finn_hw_is_dataflow_node(const finn_registry *reg, const finn_node *n);

/* Dispatch with variant -> base fallback; -1 / err when no op provides it. */
int finn_hw_shape(const finn_registry *reg, const finn_model *m, const finn_node *n,
                  finn_hw_shape_kind kind, size_t index, int *ndim, int64_t *shape,
                  finn_error *err);
int64_t finn_hw_instream_width(const finn_registry *reg, const finn_model *m, const finn_node *n,
                               size_t index);
int64_t finn_hw_outstream_width(const finn_registry *reg, const finn_model *m,
                                const finn_node *n, size_t index);
int64_t finn_hw_exp_cycles(const finn_registry *reg, const finn_model *m, const finn_node *n);
int finn_hw_resources(const finn_registry *reg, const finn_model *m, const finn_node *n,
                      const char *fpga_part, finn_hw_res *out, finn_error *err);
int finn_hw_check_folding(const finn_registry *reg, const finn_model *m, const finn_node *n,
                          finn_error *err);
/* Stream width rounded up to a multiple of 8 (AXI stream padding). */
int64_t finn_hw_padded_width(int64_t bits);

#ifdef __cplusplus
}
#endif
#endif
