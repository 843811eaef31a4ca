/*
 * plugin.c - the hw_compute plugin: registers the abstract HW compute
 * layers (domain finn.custom_op.fpgadataflow) with their finn_hw_op tables.
 */
#include "hwc.h"

static const finn_op *const OPS[] = {
    &hwc_mvau_op,       &hwc_vvau_op,         &hwc_thresholding_op,     &hwc_channelwise_op,
    &hwc_labelselect_op, &hwc_addstreams_op,  &hwc_duplicatestreams_op, &hwc_globalaccpool_op,
    &hwc_eltwise_op,    &hwc_lookup_op,
};

static int init(finn_registry *reg, finn_error *err)
{
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (finn_registry_add_op(reg, OPS[i], err))
            return -1;
    return 0;
}

FINN_PLUGIN_DEFINE("hw_compute", "1.0", init)
