/*
 * partition.h - step_create_dataflow_partition (finn-frontend.md section 9).
 */
#ifndef FINN_PLUGIN_PARTITION_H
#define FINN_PLUGIN_PARTITION_H

#include "finn/plugin.h"

/* CreateDataflowPartition: every partition (dataflow nodes by partition_id)
 * of m becomes <dir>/partition_<id>.onnx and one StreamingDataflowPartition
 * node (attributes model, partition_id, slr, mem_port) in m. */
int pt_create_dataflow_partition(finn_model *m, const char *dir, finn_error *err);

/* mkdir -p */
int pt_mkdirs(const char *path, finn_error *err);

#endif
