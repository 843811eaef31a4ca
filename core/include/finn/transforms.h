/*
 * transforms.h - graph rewrites and helpers in the public API, for steps
 * and plugin authors.  Each returns 0 on success, -1 with err set.
 */
#ifndef FINN_TRANSFORMS_H
#define FINN_TRANSFORMS_H

#include <stdbool.h>
#include "finn/datatype.h"
#include "finn/error.h"
#include "finn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct finn_registry finn_registry;

/* QONNX's InsertTopK: append TopK(k) (axis -1, largest, sorted) on graph
 * output 0; the indices become the new graph output (INT64 data annotated
 * UINT32, as FINN does).  Nothing happens when output 0 already comes from
 * a TopK. */
int finn_insert_topk(finn_model *m, int64_t k, finn_error *err);

/* Set the FINN datatype of graph input `index`. */
int finn_set_input_datatype(finn_model *m, size_t index, finn_datatype dt, finn_error *err);

/* Shape inference over the op registry (FINN's InferShapes). */
int finn_infer_shapes(const finn_registry *reg, finn_model *m, finn_error *err);
/* Datatype inference over the op registry (FINN's InferDataTypes). */
int finn_infer_datatypes(const finn_registry *reg, finn_model *m, finn_error *err);

/* GiveUniqueNodeNames: "<op_type>_<k>" in graph order. */
int finn_give_unique_node_names(finn_model *m, finn_error *err);

/* ---- QONNX/FINN general transformations (finn-frontend.md 1.4, 1.5, 5) --- */
/* GiveReadableTensorNames: <node>_out<k>, <node>_param<j>, global_in/out. */
int finn_give_readable_tensor_names(finn_model *m, finn_error *err);
/* RemoveUnusedTensors: drop initializers/value_info/annotations no node uses. */
int finn_remove_unused_tensors(finn_model *m, finn_error *err);
/* RemoveStaticGraphInputs: graph inputs that have an initializer. */
int finn_remove_static_graph_inputs(finn_model *m, finn_error *err);
/* SortCommutativeInputsInitializerLast (Add, Mul, And, Or, Xor, Sum). */
int finn_sort_commutative_inputs(finn_model *m, finn_error *err);
/* GiveUniqueParameterTensors: later uses of a shared initializer get a copy. */
int finn_give_unique_parameter_tensors(finn_model *m, finn_error *err);
/* ModelWrapper.transform's cleanup: the five passes above plus SortGraph. */
int finn_model_cleanup(finn_model *m, finn_error *err);
/* FoldConstants: execute nodes whose inputs are all initializers (needs
 * the op registry); *changed tells whether anything folded. */
int finn_fold_constants(const finn_registry *reg, finn_model *m, bool *changed,
                        finn_error *err);
/* RemoveIdentityOps (finn-frontend.md 5.4). */
int finn_remove_identity_ops(finn_model *m, bool *changed, finn_error *err);
/* InferDataLayouts (finn-frontend.md 5.5). */
int finn_infer_data_layouts(const finn_registry *reg, finn_model *m, finn_error *err);
/* MergeONNXModels: put `pre` in front of m (pre's first output feeds m's
 * first input); pre is consumed (freed) on success and on failure. */
int finn_merge_models_in_front(const finn_registry *reg, finn_model *m, finn_model *pre,
                               finn_error *err);

/* Apply a rewrite until it reports no change (at most max_iter times). */
typedef int (*finn_rewrite_fn)(finn_model *m, bool *changed, finn_error *err);
int finn_apply_to_fixed_point(finn_model *m, finn_rewrite_fn fn, int max_iter, finn_error *err);

#ifdef __cplusplus
}
#endif
#endif
