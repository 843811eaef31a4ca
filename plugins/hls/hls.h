/*
 * hls.h - the HLS implementation variants of FINN's HW layers
 * (domain "finn.custom_op.fpgadataflow.hls"), one file per op family.
 */
#ifndef FINN_PLUGIN_HLS_H
#define FINN_PLUGIN_HLS_H

#include "finn/plugin.h"

/* Attributes every HLS variant has (HLSBackend.get_nodeattr_types). */
#define HLS_BACKEND_ATTRS                                                       \
    {"code_gen_dir_cppsim", FINN_ATTR_STRING, ""}, {"executable_path", FINN_ATTR_STRING, ""}, \
        {"res_hls", FINN_ATTR_STRING, ""}

extern const finn_op hls_mvau_op, hls_vvau_op, hls_thresholding_op, hls_swg_op, hls_fmpadding_op,
    hls_dwc_op, hls_addstreams_op, hls_channelwise_op, hls_downsampler_op, hls_duplicatestreams_op,
    hls_fmpadding_pixel_op, hls_globalaccpool_op, hls_labelselect_op, hls_lookup_op, hls_pool_op,
    hls_concat_op, hls_eltwise_op, hls_streamingmaxpool_op, hls_upsample_op;

#endif
