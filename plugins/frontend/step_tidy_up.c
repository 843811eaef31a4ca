/*
 * step_tidy_up.c - FINN's step_tidy_up (finn-frontend.md 5): shape
 * inference, constant folding, node and tensor names, datatype inference,
 * static graph inputs removed; verification "initial_python".
 */
#include "frontend.h"

int fe_step_tidy_up(finn_model **model, finn_build *build, finn_error *err)
{
    finn_model *m = *model;
    fe_ctx c = {finn_build_registry(build), build, 8};
    if (fe_infer_shapes(&c, m, err) || fe_fold_constants(&c, m, err) ||
        fe_cleaned(m, finn_give_unique_node_names, err) ||
        fe_cleaned(m, finn_give_readable_tensor_names, err) || fe_infer_datatypes(&c, m, err) ||
        fe_cleaned(m, finn_remove_static_graph_inputs, err))
        return -1;
    return finn_build_verify(build, m, "initial_python", "initial_python", err);
}
