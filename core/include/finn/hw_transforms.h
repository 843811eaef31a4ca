/*
 * hw_transforms.h - FINN's step_convert_to_hw rewrites: every Infer* rule of
 * convert_to_hw_layers.py as a public transformation (finn-frontend.md 8).
 *
 * Each rule is one pass, the shape of one FINN Transformation.apply(): it
 * walks the graph once, replaces the nodes it can convert by abstract HW
 * nodes (domain FINN_HW_DOMAIN, backend "fpgadataflow", FINN's attribute
 * names and values, PE/SIMD 1 unless FINN says otherwise), runs InferShapes
 * and InferDataTypes when it changed something (as FINN does), and sets
 * *changed.  finn_hw_transform() repeats a rule until nothing changes and
 * then runs the model cleanup, as ModelWrapper.transform() does.  The HW
 * ops themselves (shape/datatype inference, execution) come from plugins;
 * the inference passes fail when they are not loaded.
 *
 * Refusals: a node a rule would convert but cannot (a tensor that is not an
 * integer, an unsupported attribute, ...) stays as it is.  When `refusals`
 * is not NULL the rule appends {node, op_type, reason} to it; the reason
 * names the tensor/attribute and its value.  Where FINN stops with an
 * assertion (e.g. MultiThreshold out_scale != 1) these rules also refuse
 * instead of failing, so one build reports every unconvertible layer.
 * Every function returns 0 or -1 with err set.
 */
#ifndef FINN_HW_TRANSFORMS_H
#define FINN_HW_TRANSFORMS_H

#include <stdbool.h>
#include <stddef.h>
#include "finn/error.h"
#include "finn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct finn_registry finn_registry;

/* ---- refusals ------------------------------------------------------------ */
typedef struct finn_hw_refusal {
    char *node;    /* node name */
    char *op_type; /* op_type of the refused node */
    char *reason;  /* e.g. "input 'x' has datatype FLOAT32, not an integer type" */
} finn_hw_refusal;

typedef struct finn_hw_refusals {
    size_t n, cap;
    finn_hw_refusal *items;
} finn_hw_refusals;

/* Append one (an identical node+reason pair is recorded once). */
int finn_hw_refusals_add(finn_hw_refusals *r, const finn_node *n, const char *reason,
                         finn_error *err);
/* Free the items; the struct may be reused (zeroed). */
void finn_hw_refusals_clear(finn_hw_refusals *r);
/* JSON list [{"node": ..., "op_type": ..., "reason": ...}, ...] (indent 2),
 * malloc'ed, NUL-terminated. */
int finn_hw_refusals_json(const finn_hw_refusals *r, char **json, finn_error *err);

/* ---- the rules: one pass each ------------------------------------------- */
typedef int (*finn_hw_rule_fn)(const finn_registry *reg, finn_model *m,
                               finn_hw_refusals *refusals, bool *changed, finn_error *err);

/* XnorPopcountMatMul (+ MultiThreshold) -> MVAU, binaryXnorMode 1. */
int finn_infer_binary_matrix_vector_activation(const finn_registry *reg, finn_model *m,
                                               finn_hw_refusals *refusals, bool *changed,
                                               finn_error *err);
/* Integer MatMul (+ MultiThreshold) -> MVAU "MVAU_<name>". */
int finn_infer_quantized_matrix_vector_activation(const finn_registry *reg, finn_model *m,
                                                  finn_hw_refusals *refusals, bool *changed,
                                                  finn_error *err);
/* MatMul with a depthwise sparsity annotation (+ MultiThreshold) -> VVAU. */
int finn_infer_vector_vector_activation(const finn_registry *reg, finn_model *m,
                                        finn_hw_refusals *refusals, bool *changed,
                                        finn_error *err);
/* MultiThreshold -> Thresholding (transposes around NCHW tensors). */
int finn_infer_thresholding_layer(const finn_registry *reg, finn_model *m,
                                  finn_hw_refusals *refusals, bool *changed, finn_error *err);
/* Add/Mul by an integral per-channel or scalar constant -> ChannelwiseOp. */
int finn_infer_channelwise_linear_layer(const finn_registry *reg, finn_model *m,
                                        finn_hw_refusals *refusals, bool *changed,
                                        finn_error *err);
/* TopK whose values output is unused -> LabelSelect. */
int finn_infer_label_select_layer(const finn_registry *reg, finn_model *m,
                                  finn_hw_refusals *refusals, bool *changed, finn_error *err);
/* Im2Col -> [FMPadding ->] ConvolutionInputGenerator or DownSampler. */
int finn_infer_conv_inp_gen(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                            bool *changed, finn_error *err);
/* MaxPoolNHWC with kernel == stride -> StreamingMaxPool. */
int finn_infer_streaming_maxpool(const finn_registry *reg, finn_model *m,
                                 finn_hw_refusals *refusals, bool *changed, finn_error *err);
/* MaxPool / QuantAvgPool2d / MaxPoolNHWC -> [Transpose ->] Im2Col -> Pool [-> Transpose]. */
int finn_infer_pool(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                    bool *changed, finn_error *err);
/* Nearest Upsample/Resize on NHWC integer data -> UpsampleNearestNeighbour. */
int finn_infer_upsample(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                        bool *changed, finn_error *err);
/* Add of two dynamic equal-typed integer streams -> AddStreams. */
int finn_infer_add_streams_layer(const finn_registry *reg, finn_model *m,
                                 finn_hw_refusals *refusals, bool *changed, finn_error *err);
/* A tensor with two or more consumers -> DuplicateStreams (then SortGraph). */
int finn_infer_duplicate_streams_layer(const finn_registry *reg, finn_model *m,
                                       finn_hw_refusals *refusals, bool *changed,
                                       finn_error *err);
/* GlobalAveragePool on integers -> GlobalAccPool + Mul(1/(H*W)). */
int finn_infer_global_acc_pool_layer(const finn_registry *reg, finn_model *m,
                                     finn_hw_refusals *refusals, bool *changed, finn_error *err);
/* Concat on the last axis of dynamic integer inputs -> StreamingConcat. */
int finn_infer_concat_layer(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                            bool *changed, finn_error *err);
/* Sub (optionally + Abs) or Add of two dynamic integer streams -> StreamingEltwise. */
int finn_infer_streaming_eltwise(const finn_registry *reg, finn_model *m,
                                 finn_hw_refusals *refusals, bool *changed, finn_error *err);
/* Gather from a constant 2-D table with unsigned indices -> Lookup. */
int finn_infer_lookup_layer(const finn_registry *reg, finn_model *m, finn_hw_refusals *refusals,
                            bool *changed, finn_error *err);

/* ---- helpers of step_convert_to_hw ----------------------------------------- */
/* RemoveCNVtoFCFlatten (move_reshape.py): drop a Flatten/Reshape between
 * dataflow nodes; with a Transpose(0,3,1,2) in front of an MVAU, reorder
 * the MVAU weights to NHWC and drop both. */
int finn_remove_cnv_to_fc_flatten(const finn_registry *reg, finn_model *m,
                                  finn_hw_refusals *refusals, bool *changed, finn_error *err);
/* AbsorbConsecutiveTransposes: a Transpose whose consumers are all its
 * inverse vanishes together with them. */
int finn_absorb_consecutive_transposes(const finn_registry *reg, finn_model *m,
                                       finn_hw_refusals *refusals, bool *changed,
                                       finn_error *err);

/* QONNX's nchw_to_nhwc layout helper (finn-frontend.md 8.2).  reverse =
 * false: insert Transpose(0,2,3,1) from NCHW tensor t to a new NHWC tensor;
 * reverse = true: t is replaced as output by a new NHWC tensor that a
 * Transpose(0,3,1,2) turns into t.  The Transpose goes to node index idx,
 * the new tensor (same datatype, layout NHWC, shape t's shape permuted)
 * is returned in *out (malloc'ed). */
int finn_nchw_to_nhwc(finn_model *m, const char *t, size_t idx, bool reverse, char **out,
                      finn_error *err);

/* ModelWrapper.transform(rule): repeat until no change, then the cleanup. */
int finn_hw_transform(const finn_registry *reg, finn_model *m, finn_hw_rule_fn rule,
                      finn_hw_refusals *refusals, finn_error *err);

/* A rule by FINN class name ("InferThresholdingLayer", ...), NULL if unknown. */
finn_hw_rule_fn finn_hw_rule_find(const char *name);

/* The rewrites of step_convert_to_hw in FINN's order (finn-frontend.md 8.1):
 * [InferThresholdingLayer if standalone_thresholds], InferBinaryMVAU,
 * InferQuantizedMVAU, InferLabelSelectLayer, InferThresholdingLayer, and if
 * an Im2Col exists InferConvInpGen, InferStreamingMaxPool,
 * RemoveCNVtoFCFlatten; then AbsorbConsecutiveTransposes,
 * GiveUniqueNodeNames, InferDataLayouts. */
int finn_convert_to_hw(const finn_registry *reg, finn_model *m, bool standalone_thresholds,
                       finn_hw_refusals *refusals, finn_error *err);

#ifdef __cplusplus
}
#endif
#endif
