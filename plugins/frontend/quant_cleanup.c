/*
 * quant_cleanup.c - QONNX's cleanup_model (util/cleanup.py, with the
 * quantizers preserved) and FINN's ConvertQONNXtoFINN sequence
 * (finn-frontend.md 4, steps 2 and 3).
 */
#include "frontend.h"

#include <string.h>

/* "temporary fix for QONNX op domains": Quant, Trunc and BipolarQuant are
 * moved to qonnx.custom_op.general whatever domain they came with. */
static int fix_quant_domains(finn_model *m, finn_error *err)
{
    static const char *const OPS[] = {"Quant", "Trunc", "BipolarQuant"};
    for (size_t i = 0; i < m->n_nodes; i++)
        for (size_t k = 0; k < sizeof OPS / sizeof OPS[0]; k++)
            if (!strcmp(m->nodes[i]->op_type, OPS[k]) &&
                fe_set_domain(m->nodes[i], FE_QONNX_DOMAIN, err))
                return -1;
    return 0;
}

int fe_cleanup_model(const fe_ctx *c, finn_model *m, finn_error *err)
{
    if (fix_quant_domains(m, err))
        return -1;
    /* each item is one model.transform(...), so each ends with the cleanup */
    if (fe_infer_shapes(c, m, err) ||
        fe_cleaned(m, finn_give_unique_parameter_tensors, err) ||
        fe_fold_constants(c, m, err) ||
        fe_transform(c, m, fe_pass_fold_transpose_into_quant_init, err) ||
        fe_cleaned(m, finn_remove_unused_tensors, err) ||
        fe_cleaned(m, finn_remove_static_graph_inputs, err) ||
        fe_cleaned(m, finn_give_unique_node_names, err) ||
        fe_cleaned(m, finn_give_readable_tensor_names, err))
        return finn_error_prefix(err, "cleanup_model: ");
    return 0;
}

int fe_convert_qonnx_to_finn(const fe_ctx *c, finn_model *m, finn_error *err)
{
    if (fe_transform(c, m, fe_pass_extract_bias_from_conv, err))
        return finn_error_prefix(err, "ExtractBiasFromConv: ");
    if (fe_transform(c, m, fe_pass_gemm_to_matmul, err))
        return finn_error_prefix(err, "GemmToMatMul: ");
    if (fe_transform(c, m, fe_pass_fold_transpose_into_quant_init, err))
        return finn_error_prefix(err, "FoldTransposeIntoQuantInit: ");
    /* the datatypes must exist for folding the weights */
    if (fe_infer_datatypes(c, m, err))
        return -1;
    if (fe_transform(c, m, fe_pass_fold_quant_weights, err))
        return finn_error_prefix(err, "FoldQuantWeights: ");
    if (fe_transform(c, m, fe_pass_quant_act_to_mt, err))
        return finn_error_prefix(err, "ConvertQuantActToMultiThreshold: ");
    if (fe_infer_datatypes(c, m, err))
        return -1;
    if (fe_transform(c, m, fe_pass_avgpool_trunc, err))
        return finn_error_prefix(err, "AvgPoolAndTruncToQuantAvgPool: ");
    if (fe_remove_identity_ops(m, err))
        return finn_error_prefix(err, "RemoveIdentityOps: ");
    /* ConvertQONNXtoFINN is itself applied through model.transform */
    return finn_model_cleanup(m, err);
}
