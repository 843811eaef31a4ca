/*
 * dwc_hls.c - StreamingDataWidthConverter_hls: the HLS stream width converter (any
 * width ratio).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract StreamingDataWidthConverter layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes StreamingDataWidthConverter_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "StreamingDataWidthConverter", .impl = "hls", .attrs = ATTRS};

const finn_op hls_dwc_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "StreamingDataWidthConverter_hls", .ext = &HW};
