/*
 * readable_names.h - GiveReadableTensorNames two ways (private to the core;
 * tests compare them).
 *
 * QONNX's GiveReadableTensorNames first renames every tensor to
 * tensor_<i> (GiveUniqueTensorNames, with its own clean-up), then derives
 * names from the nodes.  finn_readable_names_two_pass does exactly that.
 * finn_readable_names_direct computes the names the two passes end with and
 * renames only the tensors whose name changes; it declines (*done = false,
 * model untouched) where the two could differ: a name already looks like
 * tensor_<i>, an initializer feeds several inputs (the clean-up would copy
 * it under a name derived from the throw-away one), or names repeat in the
 * graph's inputs/outputs.
 */
#ifndef FINN_READABLE_NAMES_H
#define FINN_READABLE_NAMES_H

#include <stdbool.h>
#include "finn/model.h"

int finn_readable_names_two_pass(finn_model *m, finn_error *err);
int finn_readable_names_direct(finn_model *m, bool *done, finn_error *err);

/* Shared with the two-pass version (transform_cleanup.c). */
int finn_check_node_names(const finn_model *m, finn_error *err);
/* The names GiveUniqueTensorNames walks, in its order (copies, duplicates
 * kept); *count entries. */
char **finn_tensor_name_list(const finn_model *m, size_t *count, finn_error *err);

#endif
