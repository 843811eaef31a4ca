/*
 * vvau_hls.c - VVAU_hls: the HLS vector-vector-activation unit (depthwise conv).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract VVAU layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes VVAU_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "VVAU", .impl = "hls", .attrs = ATTRS};

const finn_op hls_vvau_op = {.domain = FINN_HW_DOMAIN_HLS, .op_type = "VVAU_hls", .ext = &HW};
