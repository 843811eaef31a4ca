/*
 * fmpadding_pixel_hls.c - FMPadding_Pixel_hls: zero insertion between pixels (transposed conv).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract FMPadding_Pixel layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes FMPadding_Pixel_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "FMPadding_Pixel", .impl = "hls", .attrs = ATTRS};

const finn_op hls_fmpadding_pixel_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "FMPadding_Pixel_hls", .ext = &HW};
