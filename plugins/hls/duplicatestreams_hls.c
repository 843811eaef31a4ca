/*
 * duplicatestreams_hls.c - DuplicateStreams_hls: fan-out of one stream to several.
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract DuplicateStreams layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes DuplicateStreams_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "DuplicateStreams", .impl = "hls", .attrs = ATTRS};

const finn_op hls_duplicatestreams_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "DuplicateStreams_hls", .ext = &HW};
