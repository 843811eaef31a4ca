/*
 * plugin.c - registers the QONNX general custom ops under
 * "qonnx.custom_op.general" (the registry maps the domains onnx.brevitas,
 * finn.custom_op.general and finn to it).
 */
#include "qonnx_common.h"

static int add_all(finn_registry *reg, const finn_op *ops, size_t count, finn_error *err)
{
    for (size_t i = 0; i < count; i++)
        if (finn_registry_add_op(reg, &ops[i], err))
            return -1;
    return 0;
}

static int qonnx_ops_init(finn_registry *reg, finn_error *err)
{
    const finn_op *single[] = {&qo_trunc_op, &qo_floatquant_op, &qo_multithreshold_op,
                               &qo_im2col_op};
    for (size_t i = 0; i < sizeof single / sizeof single[0]; i++)
        if (add_all(reg, single[i], 1, err))
            return -1;
    return add_all(reg, qo_quant_ops, qo_quant_ops_count, err) ||
                   add_all(reg, qo_pool_ops, qo_pool_ops_count, err) ||
                   add_all(reg, qo_misc_ops, qo_misc_ops_count, err)
               ? -1
               : 0;
}

FINN_PLUGIN_DEFINE("qonnx_ops", "1.0", qonnx_ops_init)
