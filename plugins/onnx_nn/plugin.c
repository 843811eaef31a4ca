/*
 * plugin.c - the onnx_nn plugin: standard ONNX (domain "") convolution,
 * pooling, shape/layout, slicing, padding and resizing ops, with shape
 * inference and execution following onnxruntime for opsets 7..19.
 * This file only registers; each op family lives in its own file.
 */
#include "nn.h"

#define OP(type, name) {"", type, nn_##name##_infer, NULL, nn_##name##_exec, NULL}

static const finn_op OPS[] = {
    OP("Conv", conv),
    OP("ConvTranspose", conv_transpose),
    OP("MaxPool", maxpool),
    OP("AveragePool", avgpool),
    OP("GlobalAveragePool", global_avgpool),
    OP("GlobalMaxPool", global_maxpool),
    OP("Reshape", reshape),
    OP("Flatten", flatten),
    OP("Transpose", transpose),
    OP("Squeeze", squeeze),
    OP("Unsqueeze", unsqueeze),
    OP("Expand", expand),
    OP("Concat", concat),
    OP("Split", split),
    OP("Slice", slice),
    OP("Gather", gather),
    OP("Pad", pad),
    OP("Resize", resize),
    OP("Upsample", upsample),
    OP("DepthToSpace", depth_to_space),
    OP("SpaceToDepth", space_to_depth),
};

static int init(finn_registry *reg, finn_error *err)
{
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (finn_registry_add_op(reg, &OPS[i], err))
            return -1;
    return 0;
}

FINN_PLUGIN_DEFINE("onnx_nn", "1.0", init)
