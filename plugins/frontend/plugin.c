/*
 * plugin.c - the frontend plugin: FINN's first two builder steps and the
 * CNV tutorial's pre-processing step.
 */
#include "frontend.h"

static const finn_step_desc STEPS[] = {
    {"step_qonnx_to_finn", fe_step_qonnx_to_finn,
     "Convert QONNX (Quant/BipolarQuant/Trunc) to FINN-ONNX (integer weights, MultiThreshold)",
     "Runs only if the model has Quant, Trunc or BinaryQuant nodes (as FINN, a model with "
     "only BipolarQuant nodes passes unchanged). QONNX cleanup (quantizer domains, shape "
     "inference, unique parameters, constant folding keeping quantizers, transposes folded "
     "into quantized initializers, readable names), then ConvertQONNXtoFINN: conv biases "
     "become Add nodes, Gemm becomes MatMul/Mul/Add, weight quantizers are folded into "
     "integer initializers (a Mul by the scale follows the consumer when the scale is not "
     "one), activation quantizers of at most max_multithreshold_bit_width bits become "
     "MultiThreshold (+ Add bias, Mul scale), AveragePool-Mul-Trunc becomes QuantAvgPool2d, "
     "identity Add/Mul are removed. Verification: finn_onnx_python (saved as "
     "qonnx_to_finn_python)."},
    {"step_tidy_up", fe_step_tidy_up,
     "Shape inference, constant folding, unique node names, readable tensor names, datatypes",
     "FINN's tidy-up: InferShapes, FoldConstants, GiveUniqueNodeNames, "
     "GiveReadableTensorNames, InferDataTypes, RemoveStaticGraphInputs, each followed by "
     "the standard cleanup (unused tensors, graph sort, commutative inputs, unique "
     "parameters). Verification: initial_python."},
};

static int frontend_init(finn_registry *reg, finn_error *err)
{
    return finn_registry_add_steps(reg, STEPS, sizeof STEPS / sizeof STEPS[0], err);
}

FINN_PLUGIN_DEFINE("frontend", "1.0", frontend_init)
