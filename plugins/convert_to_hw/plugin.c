/*
 * plugin.c - the convert_to_hw plugin: FINN's builder step
 * step_convert_to_hw (finn-frontend.md 8.1).  The rewrites themselves are
 * public core transformations (finn/hw_transforms.h); this step runs them
 * in FINN's order and reports the layers that stay unconverted.
 */
#include <finn/file.h>
#include <finn/builder.h>
#include <finn/hw_transforms.h>
#include <finn/plugin.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* <output_dir>/report/convert_to_hw_refusals.json */
static int write_refusals(const char *out_dir, const finn_hw_refusals *r, finn_error *err)
{
    size_t len = strlen(out_dir) + 64;
    char *dir = malloc(len), *path = malloc(len);
    char *json = NULL;
    int rc = dir && path ? 0 : finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
    if (rc == 0) {
        snprintf(dir, len, "%s/report", out_dir);
        snprintf(path, len, "%s/convert_to_hw_refusals.json", dir);
        rc = finn_mkdirs(dir, err) ||
             finn_hw_refusals_json(r, &json, err);
    }
    if (rc == 0) {
        rc = finn_write_file(path, json, strlen(json), err);
    }
    free(json);
    free(dir);
    free(path);
    return rc ? -1 : 0;
}

static int step_convert_to_hw(finn_model **model, finn_build *build, finn_error *err)
{
    const finn_registry *reg = finn_build_registry(build);
    bool standalone = finn_config_bool(finn_build_config(build), "standalone_thresholds");
    finn_hw_refusals ref = {0};
    int rc = finn_convert_to_hw(reg, *model, standalone, &ref, err);
    for (size_t i = 0; i < ref.n; i++)
        finn_build_log(build, "step_convert_to_hw: node '%s' (%s) not converted to HW: %s",
                       ref.items[i].node, ref.items[i].op_type, ref.items[i].reason);
    if (ref.n)
        finn_build_say(build,
                       "step_convert_to_hw: %zu layer(s) not converted to HW, see "
                       "report/convert_to_hw_refusals.json",
                       ref.n);
    if (rc == 0)
        rc = write_refusals(finn_build_output_dir(build), &ref, err);
    finn_hw_refusals_clear(&ref);
    return rc;
}

static const finn_step_desc STEPS[] = {
    {"step_convert_to_hw", step_convert_to_hw,
     "Convert the streamlined graph to abstract HW layers (MVAU, Thresholding, "
     "ConvolutionInputGenerator, StreamingMaxPool, LabelSelect, ...)",
     "FINN's step_convert_to_hw: if standalone_thresholds, InferThresholdingLayer first; "
     "then InferBinaryMatrixVectorActivation (XnorPopcountMatMul), "
     "InferQuantizedMatrixVectorActivation (integer MatMul; a following MultiThreshold is "
     "fused into the MVAU), InferLabelSelectLayer (TopK), InferThresholdingLayer (remaining "
     "MultiThresholds, with Transposes around NCHW tensors); if an Im2Col exists, "
     "InferConvInpGen (Im2Col to [FMPadding +] ConvolutionInputGenerator or DownSampler), "
     "InferStreamingMaxPool (MaxPoolNHWC) and RemoveCNVtoFCFlatten (the Transpose+Reshape "
     "between the conv and FC parts is absorbed into the first MVAU's weights); finally "
     "AbsorbConsecutiveTransposes, GiveUniqueNodeNames and InferDataLayouts. New HW nodes "
     "carry FINN's attributes with PE = SIMD = 1 (folding comes later). New tensors get "
     "generated names (FINN: random names). A layer that cannot be converted (a tensor that "
     "is not an integer type, an unsupported attribute such as MultiThreshold out_scale != "
     "1) stays as it is and is reported in build_dataflow.log with the node and the reason; "
     "where FINN stops with an assertion this step reports and continues. Addition of "
     "finn-run, not in FINN: the refusals are also written to "
     "<output_dir>/report/convert_to_hw_refusals.json as a JSON list of "
     "{\"node\", \"op_type\", \"reason\"} (an empty list when everything was converted)."},
};

static int init(finn_registry *reg, finn_error *err)
{
    return finn_registry_add_steps(reg, STEPS, sizeof STEPS / sizeof STEPS[0], err);
}

FINN_PLUGIN_DEFINE("convert_to_hw", "1.0", init)
