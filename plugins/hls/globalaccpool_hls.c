/*
 * globalaccpool_hls.c - GlobalAccPool_hls: sum over the spatial axes.
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract GlobalAccPool layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes GlobalAccPool_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "GlobalAccPool", .impl = "hls", .attrs = ATTRS};

const finn_op hls_globalaccpool_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "GlobalAccPool_hls", .ext = &HW};
