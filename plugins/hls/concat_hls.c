/*
 * concat_hls.c - StreamingConcat_hls: concatenation of streams on the channel axis.
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract StreamingConcat layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes StreamingConcat_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "StreamingConcat", .impl = "hls", .attrs = ATTRS};

const finn_op hls_concat_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "StreamingConcat_hls", .ext = &HW};
