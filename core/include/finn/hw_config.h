/*
 * hw_config.h - FINN's per-node configuration files and the attribute
 * catalogue of HW ops (finn-backend.md section 4).
 *
 * - finn_hw_apply_config: QONNX's ApplyConfig on a JSON file
 *   ({"Defaults": {attr: [value, "all" | [op types]]}, "<node>": {attr:
 *   value}}), used by step_specialize_layers (specialize_layers_config_file)
 *   and step_apply_folding_config (folding_config_file).
 * - finn_hw_extract_config: QONNX's extract_model_config_to_json, for
 *   template_specialize_layers_config.json, auto_folding_config.json and
 *   final_hw_config.json, byte for byte as Python's json.dump(indent=2).
 * - finn_hw_attr_def: which attributes a HW node has (variant's own list,
 *   then its abstract layer's, then the ones every HW op has), with type
 *   and default, and the allowed values FINN declares.
 */
#ifndef FINN_HW_CONFIG_H
#define FINN_HW_CONFIG_H

#include <stddef.h>
#include "finn/error.h"
#include "finn/hw.h"
#include "finn/model.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct finn_registry finn_registry;

/* Attributes every HW op has (FINN's HWCustomOp), NULL-name terminated. */
const finn_hw_attr *finn_hw_common_attrs(void);

/* Definition of attribute `name` on HW node n (variant list, base list,
 * common list, first match wins); NULL if n is not a HW op or has no such
 * attribute. */
const finn_hw_attr *finn_hw_attr_def(const finn_registry *reg, const finn_node *n,
                                     const char *name);

/* The values FINN allows for the attribute (as text, NULL-terminated; ints
 * as decimal), or NULL when any value of the right type is accepted. */
const char *const *finn_hw_attr_allowed(const finn_registry *reg, const finn_node *n,
                                        const char *name);

/* What ApplyConfig found besides the values it set. */
typedef struct finn_hw_config_report {
    size_t n_missing;
    char **missing;   /* nodes (graph order) without an entry; "" for unnamed */
    size_t n_unused;
    char **unused;    /* keys (file order) naming no custom-op node */
    char **hints;     /* one per unused key: why it is unused / nearest node names */
} finn_hw_config_report;

void finn_hw_config_report_free(finn_hw_config_report *rep);

/* ApplyConfig (single pass): for every node in graph order, a missing entry
 * is recorded; for nodes of registered custom ops (non-standard domain),
 * the matching "Defaults" (not those whose attribute name is also a
 * top-level key; targets "all", a list of op types, or a string tested by
 * substring) are set first, then the node's own entries.  An attribute the
 * op does not define, a value of the wrong JSON type or outside FINN's
 * allowed set, a file without "Defaults" (when a custom-op node exists) or
 * invalid JSON is an error naming the file, node and attribute.  rep may be
 * NULL; otherwise it is filled (free with finn_hw_config_report_free). */
int finn_hw_apply_config(const finn_registry *reg, finn_model *m, const char *path,
                         finn_hw_config_report *rep, finn_error *err);
/* The same on JSON text; `what` names it in messages. */
int finn_hw_apply_config_text(const finn_registry *reg, finn_model *m, const char *text,
                              const char *what, finn_hw_config_report *rep, finn_error *err);

/* The report as console lines: FINN's "No HW configuration for nodes: a, b"
 * and "Unused HW configurations: x, y" (only when non-empty), then one
 * line per unused key with its hint. */
typedef void (*finn_hw_say_fn)(void *ud, const char *line);
void finn_hw_config_report_say(const finn_hw_config_report *rep, finn_hw_say_fn say, void *ud);

/* extract_model_config_to_json: {"Defaults": {}, "<node>": {attr: value
 * (or its default) for each of attrs the node's op defines}} for every HW
 * node in graph order that defines at least one; Python json.dump(indent=2)
 * formatting, no trailing newline.  *json is malloc'ed. */
int finn_hw_extract_config(const finn_registry *reg, const finn_model *m,
                           const char *const *attrs, size_t n_attrs, char **json,
                           finn_error *err);
/* The same written to path. */
int finn_hw_write_config(const finn_registry *reg, const finn_model *m, const char *const *attrs,
                         size_t n_attrs, const char *path, finn_error *err);

#ifdef __cplusplus
}
#endif
#endif
