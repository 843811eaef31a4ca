/*
 * registry.h - what plugins register: build steps, ops and named step
 * lists.  The registry is owned by the caller (finn-run creates one); plugins
 * only add to the registry they are given.
 */
#ifndef FINN_REGISTRY_H
#define FINN_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include "finn/config.h"
#include "finn/error.h"
#include "finn/exec.h"
#include "finn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct finn_registry finn_registry;
typedef struct finn_build finn_build; /* a running build; see builder.h */

/* A build step: may replace *model (freeing the old one). */
typedef int (*finn_step_fn)(finn_model **model, finn_build *build, finn_error *err);

typedef struct finn_step_desc {
    const char *name;     /* FINN's name, e.g. "step_tidy_up" */
    finn_step_fn fn;
    const char *summary;  /* one line */
    const char *doc;      /* longer text, may be NULL */
} finn_step_desc;

/* An op: shape and datatype inference and reference execution.  Any hook
 * may be NULL.  `ext` points to a family-specific table (HW ops: hw.h). */
typedef struct finn_op {
    const char *domain;
    const char *op_type;
    int (*infer_shapes)(finn_model *m, finn_node *n, finn_error *err);
    int (*infer_datatypes)(finn_model *m, finn_node *n, finn_error *err);
    int (*execute)(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx,
                   finn_error *err);
    const void *ext;
} finn_op;

finn_registry *finn_registry_new(finn_error *err);
void finn_registry_free(finn_registry *reg);

/* Name of the plugin whose init is running (set by the loader), used to
 * say which plugin registered what. */
void finn_registry_set_current_plugin(finn_registry *reg, const char *plugin_name);

/* Descriptors are not copied: they must outlive the registry (static data
 * in the plugin).  A duplicate step name is an error naming both plugins
 * unless override is allowed. */
int finn_registry_add_step(finn_registry *reg, const finn_step_desc *step, finn_error *err);
int finn_registry_add_steps(finn_registry *reg, const finn_step_desc *steps, size_t count,
                            finn_error *err);
void finn_registry_allow_override(finn_registry *reg, bool allow);
const finn_step_desc *finn_registry_step(const finn_registry *reg, const char *name);
/* Plugin that registered the step ("core" for built-ins). */
const char *finn_registry_step_plugin(const finn_registry *reg, const char *name);
size_t finn_registry_step_count(const finn_registry *reg);
const finn_step_desc *finn_registry_step_at(const finn_registry *reg, size_t i);
/* Closest registered step name (for "did you mean"), or NULL. */
const char *finn_registry_nearest_step(const finn_registry *reg, const char *name);

int finn_registry_add_op(finn_registry *reg, const finn_op *op, finn_error *err);
/* Domain aliases: "ai.onnx" = ""; "onnx.brevitas", "finn.custom_op.general",
 * "finn" = "qonnx.custom_op.general". */
const finn_op *finn_registry_op(const finn_registry *reg, const char *domain,
                                const char *op_type);
size_t finn_registry_op_count(const finn_registry *reg);

/* Named step lists ("estimate_only", "default"): names are copied. */
int finn_registry_add_step_list(finn_registry *reg, const char *name, const char *const *steps,
                                size_t count, finn_error *err);
/* Returns count and the list (pointer into the registry), 0/NULL if unknown. */
size_t finn_registry_step_list(const finn_registry *reg, const char *name,
                               const char *const **steps);

#ifdef __cplusplus
}
#endif
#endif
