/*
 * plugin.c - the streamline plugin: registers FINN's step_streamline.
 */
#include "sl.h"

static const finn_step_desc STEPS[] = {
    {"step_streamline", sl_step_streamline,
     "Streamline: move scale/shift constants around, collapse them and absorb them into "
     "MultiThreshold nodes",
     "Runs FINN's streamlining (arXiv:1709.04060) as FINN's builder does: "
     "AbsorbSignBiasIntoMultiThreshold, then Streamline() (22 rewrites, each followed by "
     "RemoveIdentityOps, GiveUniqueNodeNames, GiveReadableTensorNames and InferDataTypes); "
     "if a Conv remains, LowerConvsToMatMul, MakeMaxPoolNHWC, "
     "AbsorbTransposeIntoMultiThreshold, MakeMaxPoolNHWC and AbsorbConsecutiveTransposes; "
     "then ConvertBipolarMatMulToXnorPopcount, Streamline() again, "
     "AbsorbScalarMulAddIntoTopK, InferDataLayouts and RemoveUnusedTensors.  Floating-point "
     "scales and biases end up inside MultiThreshold thresholds, so the graph becomes "
     "integer-only where the topology allows it.  Streamlining needs a suitable topology "
     "and cannot be applied to every network.  Verification: streamlined_python."},
};

static int init(finn_registry *reg, finn_error *err)
{
    return finn_registry_add_steps(reg, STEPS, sizeof STEPS / sizeof STEPS[0], err);
}

FINN_PLUGIN_DEFINE("streamline", "1.0", init)
