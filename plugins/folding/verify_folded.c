/*
 * verify_folded.c - the folded_hls_cppsim verification point.
 *
 * FINN compiles and simulates each layer's HLS C++ here and compares the
 * dataflow child model's output with the expected output, feeding the
 * child the build's input as it is.  That comparison cannot work when the
 * parent model does something before the partition (CNV's first
 * Transpose): the child's input is then not the network input.  finn-run
 * runs the layers' reference semantics instead of C++ simulation, and
 * verifies the folded child in its place inside the parent model
 * (intermediate_models/dataflow_parent.onnx), so the check covers what the
 * user's accelerator will compute.  Without a saved parent it verifies the
 * child alone, as FINN does.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include <finn/file.h>
#include "folding.h"

int fold_verify_folded(finn_build *b, const finn_model *child, finn_error *err)
{
    const char *out = finn_build_output_dir(b);
    char *parent_path = finn_path_join(out, "intermediate_models/dataflow_parent.onnx");
    char *child_path = finn_path_join(out, "verification_output/folded_child.onnx");
    char *vdir = finn_path_join(out, "verification_output");
    finn_model *parent = NULL;
    int rc = -1;
    if (!parent_path || !child_path || !vdir) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        goto done;
    }
    finn_error ignored = {0};
    if (finn_model_load(parent_path, &parent, &ignored) != 0) {
        /* no parent saved (save_intermediate_models false): the child alone */
        rc = finn_build_verify(b, child, "folded_hls_cppsim", "folded_hls_cppsim", err);
        goto done;
    }
    size_t sdp = 0, found = 0;
    for (size_t i = 0; i < parent->n_nodes; i++)
        if (!strcmp(parent->nodes[i]->op_type, "StreamingDataflowPartition"))
            sdp = i, found++;
    if (found != 1) {
        rc = finn_build_verify(b, child, "folded_hls_cppsim", "folded_hls_cppsim", err);
        goto done;
    }
    /* the folded child, saved beside the verification files */
    if (finn_mkdirs(vdir, err))
        goto done;
    if (finn_model_save(child, child_path, err) ||
        finn_node_set_attr_s(parent->nodes[sdp], "model", child_path, err))
        goto done;
    rc = finn_build_verify(b, parent, "folded_hls_cppsim", "folded_hls_cppsim", err);
done:
    finn_model_free(parent);
    free(parent_path);
    free(child_path);
    free(vdir);
    return rc;
}
