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

#ifdef __cplusplus
}
#endif
#endif
