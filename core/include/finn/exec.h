/*
 * exec.h - the reference executor: runs a model node by node through the
 * op registry, as FINN's python execution does.
 */
#ifndef FINN_EXEC_H
#define FINN_EXEC_H

#include <stdbool.h>
#include "finn/model.h"
#include "finn/tensor.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct finn_registry finn_registry;

/* Execution context: tensor name -> tensor (owned by the context). */
typedef struct finn_exec_ctx finn_exec_ctx;

finn_exec_ctx *finn_exec_ctx_new(finn_error *err);
void finn_exec_ctx_free(finn_exec_ctx *ctx);
finn_tensor *finn_exec_ctx_get(const finn_exec_ctx *ctx, const char *name);
/* Store t under name (takes ownership; replaces and frees an older one). */
int finn_exec_ctx_set(finn_exec_ctx *ctx, const char *name, finn_tensor *t, finn_error *err);
/* Remove and return (caller owns). */
finn_tensor *finn_exec_ctx_take(finn_exec_ctx *ctx, const char *name);
size_t finn_exec_ctx_count(const finn_exec_ctx *ctx);
/* i-th name in insertion order. */
const char *finn_exec_ctx_name(const finn_exec_ctx *ctx, size_t i);
/* The registry of the run in progress (set by finn_execute and
 * finn_execute_node), for ops that run a child model
 * (StreamingDataflowPartition); NULL outside a run. */
const finn_registry *finn_exec_ctx_registry(const finn_exec_ctx *ctx);

/* Run m with the graph inputs found in ctx; every tensor computed is left
 * in ctx (FINN's return_full_exec_context).  Initializers are read from the
 * model.  Integer-annotated tensors are sanitized as FINN does.
 *
 * A context may be reused for the next input (set the new graph inputs
 * and call again): nodes that depend only on initializers (weight
 * quantizers, constant shapes) are not run again when their outputs are
 * already in ctx, so a batch pays for them once. */
int finn_execute(const finn_registry *reg, const finn_model *m, finn_exec_ctx *ctx,
                 finn_error *err);

/* Index of the first element of t at or after `from` whose value dt does
 * not allow (finn_dt_allowed), or numel when there is none. */
size_t finn_tensor_find_disallowed(const finn_tensor *t, finn_datatype dt, size_t from);

/* Run one node with its inputs in ctx (outputs stored in ctx). */
int finn_execute_node(const finn_registry *reg, const finn_model *m, const finn_node *n,
                      finn_exec_ctx *ctx, finn_error *err);

#ifdef __cplusplus
}
#endif
#endif
