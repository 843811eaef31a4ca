/*
 * plugin.c - registers the HLS variants (hls.h) as finn_ops whose `ext`
 * is a finn_hw_op naming their abstract base layer.
 */
#include "hls.h"

static const finn_op *const OPS[] = {
    &hls_mvau_op,
    &hls_vvau_op,
    &hls_thresholding_op,
    &hls_swg_op,
    &hls_fmpadding_op,
    &hls_dwc_op,
    &hls_addstreams_op,
    &hls_channelwise_op,
    &hls_downsampler_op,
    &hls_duplicatestreams_op,
    &hls_fmpadding_pixel_op,
    &hls_globalaccpool_op,
    &hls_labelselect_op,
    &hls_lookup_op,
    &hls_pool_op,
    &hls_concat_op,
    &hls_eltwise_op,
    &hls_streamingmaxpool_op,
    &hls_upsample_op,
};

static int init(finn_registry *reg, finn_error *err)
{
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (finn_registry_add_op(reg, OPS[i], err))
            return -1;
    return 0;
}

FINN_PLUGIN_DEFINE("hls", "1.0", init)
