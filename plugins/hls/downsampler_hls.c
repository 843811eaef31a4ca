/*
 * downsampler_hls.c - DownSampler_hls: strided pixel dropping (1x1 kernel convolutions).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract DownSampler layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes DownSampler_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "DownSampler", .impl = "hls", .attrs = ATTRS};

const finn_op hls_downsampler_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "DownSampler_hls", .ext = &HW};
