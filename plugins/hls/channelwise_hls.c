/*
 * channelwise_hls.c - ChannelwiseOp_hls: per-channel add/mul/compare with a parameter.
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract ChannelwiseOp layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes ChannelwiseOp_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "ChannelwiseOp", .impl = "hls", .attrs = ATTRS};

const finn_op hls_channelwise_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "ChannelwiseOp_hls", .ext = &HW};
