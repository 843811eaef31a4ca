/*
 * plugin.c - step_create_dataflow_partition (finn-frontend.md section 9):
 * the parent model (non-dataflow nodes around one StreamingDataflowPartition)
 * is saved as intermediate_models/dataflow_parent.onnx, the child (the
 * dataflow nodes, intermediate_models/supported_op_partitions/
 * partition_0.onnx) becomes the model of the build, and
 * template_specialize_layers_config.json is written from it.
 */
#include <finn/file.h>
#include "partition.h"
#include "finn/hw_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parent must hold exactly one StreamingDataflowPartition; its path. */
static int single_sdp(const finn_model *parent, const char **path, finn_error *err)
{
    size_t count = 0;
    for (size_t i = 0; i < parent->n_nodes; i++)
        if (!strcmp(parent->nodes[i]->op_type, "StreamingDataflowPartition")) {
            count++;
            *path = finn_node_attr_s(parent->nodes[i], "model", "");
        }
    if (count != 1)
        return finn_error_set(err, FINN_ERR_INVALID,
                              "Only a single StreamingDataflowPartition supported. (found %zu; "
                              "%s)",
                              count,
                              count ? "the dataflow nodes carry different partition_id values"
                                    : "the model has no node with backend \"fpgadataflow\"");
    return 0;
}

static int step_create_dataflow_partition(finn_model **model, finn_build *b, finn_error *err)
{
    const char *out = finn_build_output_dir(b);
    char *im = finn_path_join(out, "intermediate_models");
    char *dir = im ? finn_path_join(im, "supported_op_partitions") : NULL;
    char *parent_path = im ? finn_path_join(im, "dataflow_parent.onnx") : NULL;
    char *tmpl = finn_path_join(out, "template_specialize_layers_config.json");
    finn_model *parent = NULL;
    pt_children kids = {0};
    int rc = -1;
    if (!im || !dir || !parent_path || !tmpl) {
        finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
        goto done;
    }
    /* FINN's model.transform works on a copy: the input model stays intact.
     * The copy shares the weights (nothing here changes them in place). */
    parent = finn_model_clone_shallow(*model, err);
    const char *child_path = NULL;
    if (!parent || pt_create_dataflow_partition(parent, dir, &kids, err) ||
        single_sdp(parent, &child_path, err))
        goto done;
    if (finn_config_bool(finn_build_config(b), "save_intermediate_models") &&
        (finn_mkdirs(im, err) || finn_model_save(parent, parent_path, err)))
        goto done;
    /* FINN loads child_path back; the child in memory is that model already
     * (partition_<id>.onnx was written from it and it was settled as if
     * loaded), so the file is not read again. */
    finn_model *child = kids.n == 1 ? kids.v[0] : NULL;
    if (!child || strcmp(kids.paths[0], child_path)) {
        finn_error_set(err, FINN_ERR_INVALID, "dataflow partition %s: no child model",
                       child_path);
        goto done;
    }
    static const char *const ATTRS[] = {"preferred_impl_style"};
    if (finn_hw_write_config(finn_build_registry(b), child, ATTRS, 1, tmpl, err))
        goto done;
    finn_build_log(b, "dataflow partition: %s (%zu nodes), parent %s", child_path,
                   child->n_nodes, parent_path);
    /* the child takes its weights over from the input model, then replaces it */
    finn_model_free(parent);
    parent = NULL;
    finn_model_adopt_shared(child, *model);
    finn_model_free(*model);
    *model = child;
    kids.v[0] = NULL;
    rc = 0;
done:
    pt_children_free(&kids);
    finn_model_free(parent);
    free(im);
    free(dir);
    free(parent_path);
    free(tmpl);
    return rc;
}

static const finn_step_desc STEPS[] = {
    {"step_create_dataflow_partition", step_create_dataflow_partition,
     "Split the dataflow (HW) nodes into a child model behind a StreamingDataflowPartition",
     "FINN's CreateDataflowPartition: the nodes with backend \"fpgadataflow\" go to "
     "intermediate_models/supported_op_partitions/partition_<id>.onnx (by partition_id, "
     "default 0); the parent keeps the other nodes and one StreamingDataflowPartition node "
     "(attribute model = the child's path) and is saved as "
     "intermediate_models/dataflow_parent.onnx. Exactly one partition is supported, and the "
     "dataflow nodes must be one region (no HW -> non-HW -> HW path). The child becomes the "
     "model of the following steps; template_specialize_layers_config.json lists its nodes' "
     "preferred_impl_style."},
};

static int init(finn_registry *reg, finn_error *err)
{
    return finn_registry_add_steps(reg, STEPS, sizeof STEPS / sizeof STEPS[0], err);
}

FINN_PLUGIN_DEFINE("partition", "1.0", init)
