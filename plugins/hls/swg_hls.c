/*
 * swg_hls.c - ConvolutionInputGenerator_hls: the HLS sliding-window generator (square
 * 2-D windows without dilation, or 1-D).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract ConvolutionInputGenerator layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes ConvolutionInputGenerator_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "ConvolutionInputGenerator", .impl = "hls", .attrs = ATTRS};

const finn_op hls_swg_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "ConvolutionInputGenerator_hls", .ext = &HW};
