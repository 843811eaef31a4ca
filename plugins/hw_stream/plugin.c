/*
 * plugin.c - registers the abstract streaming HW layers of FINN under
 * "finn.custom_op.fpgadataflow": ConvolutionInputGenerator, FMPadding,
 * StreamingMaxPool, Pool, StreamingDataWidthConverter, StreamingFIFO,
 * StreamingConcat, UpsampleNearestNeighbour, DownSampler, and the
 * StreamingDataflowPartition container node.
 */
#include "hws.h"

static int hw_stream_init(finn_registry *reg, finn_error *err)
{
    const finn_op *ops[] = {&hs_swg_op,     &hs_fmpadding_op, &hs_streamingmaxpool_op,
                            &hs_pool_op,    &hs_dwc_op,       &hs_fifo_op,
                            &hs_concat_op,  &hs_upsample_op,  &hs_downsampler_op,
                            &hs_sdp_op};
    for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
        if (finn_registry_add_op(reg, ops[i], err))
            return -1;
    return 0;
}

FINN_PLUGIN_DEFINE("hw_stream", "1.0", hw_stream_init)
