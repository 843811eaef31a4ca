/*
 * plugin.c - the onnx_math plugin: standard ONNX ops (domain "") with
 * shape inference and reference execution following onnxruntime's
 * results, opsets 7..19.  Datatype inference is left to the core's default.
 */
#include "onnx_math.h"

#define OP(name, shape, exec) {"", name, shape, NULL, exec, NULL}

static const finn_op OPS[] = {
    OP("Add", om_shape_broadcast, om_exec_add),
    OP("Sub", om_shape_broadcast, om_exec_sub),
    OP("Mul", om_shape_broadcast, om_exec_mul),
    OP("Div", om_shape_broadcast, om_exec_div),
    OP("Pow", om_shape_broadcast, om_exec_pow),
    OP("Min", om_shape_broadcast, om_exec_min),
    OP("Max", om_shape_broadcast, om_exec_max),
    OP("Sum", om_shape_broadcast, om_exec_sum),
    OP("Equal", om_shape_compare, om_exec_equal),
    OP("Less", om_shape_compare, om_exec_less),
    OP("Greater", om_shape_compare, om_exec_greater),
    OP("LessOrEqual", om_shape_compare, om_exec_less_equal),
    OP("GreaterOrEqual", om_shape_compare, om_exec_greater_equal),
    OP("Where", om_shape_where, om_exec_where),
    OP("Not", om_shape_same, om_exec_not),
    OP("Relu", om_shape_same, om_exec_relu),
    OP("Sigmoid", om_shape_same, om_exec_sigmoid),
    OP("Tanh", om_shape_same, om_exec_tanh),
    OP("Clip", om_shape_same, om_exec_clip),
    OP("Sign", om_shape_same, om_exec_sign),
    OP("Floor", om_shape_same, om_exec_floor),
    OP("Ceil", om_shape_same, om_exec_ceil),
    OP("Round", om_shape_same, om_exec_round),
    OP("Abs", om_shape_same, om_exec_abs),
    OP("Neg", om_shape_same, om_exec_neg),
    OP("Exp", om_shape_same, om_exec_exp),
    OP("Log", om_shape_same, om_exec_log),
    OP("Sqrt", om_shape_same, om_exec_sqrt),
    OP("Identity", om_shape_same, om_exec_identity),
    OP("Cast", om_shape_cast, om_exec_cast),
    OP("Constant", om_shape_constant, om_exec_constant),
    OP("Shape", om_shape_shape, om_exec_shape),
    OP("Softmax", om_shape_same, om_exec_softmax),
    OP("ReduceMean", om_shape_reduce, om_exec_reduce_mean),
    OP("ReduceMax", om_shape_reduce, om_exec_reduce_max),
    OP("ReduceSum", om_shape_reduce, om_exec_reduce_sum),
    OP("ArgMax", om_shape_argmax, om_exec_argmax),
    OP("TopK", om_shape_topk, om_exec_topk),
    OP("MatMul", om_shape_matmul, om_exec_matmul),
    OP("Gemm", om_shape_gemm, om_exec_gemm),
    OP("BatchNormalization", om_shape_batchnorm, om_exec_batchnorm),
};

static int init(finn_registry *reg, finn_error *err)
{
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (finn_registry_add_op(reg, &OPS[i], err))
            return -1;
    return 0;
}

FINN_PLUGIN_DEFINE("onnx_math", "1.0", init)
