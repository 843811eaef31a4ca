/*
 * fmpadding_hls.c - FMPadding_hls: the HLS feature-map zero padding.
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract FMPadding layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes FMPadding_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "FMPadding", .impl = "hls", .attrs = ATTRS};

const finn_op hls_fmpadding_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "FMPadding_hls", .ext = &HW};
