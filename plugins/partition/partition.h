/*
 * partition.h - step_create_dataflow_partition (finn-frontend.md section 9).
 */
#ifndef FINN_PLUGIN_PARTITION_H
#define FINN_PLUGIN_PARTITION_H

#include "finn/plugin.h"

/* The child models of a partitioning, in partition order (owned). */
typedef struct pt_children {
    size_t n;
    finn_model **v;
    char **paths; /* the file each child was saved as */
} pt_children;
void pt_children_free(pt_children *c);

/* CreateDataflowPartition: every partition (dataflow nodes by partition_id)
 * of m becomes <dir>/partition_<id>.onnx and one StreamingDataflowPartition
 * node (attributes model, partition_id, slr, mem_port) in m.  The children
 * stay in memory as well (*kids, settled as if loaded back from their files;
 * they share m's initializers, see finn_model_clone_shallow), so nobody
 * needs to read the files back. */
int pt_create_dataflow_partition(finn_model *m, const char *dir, pt_children *kids,
                                 finn_error *err);


#endif
