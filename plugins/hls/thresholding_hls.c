/*
 * thresholding_hls.c - Thresholding_hls: the HLS multi-threshold unit. FINN gives it its own
 * memory attributes (the RTL variant has depth triggers instead).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract Thresholding layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "hls.h"

/* Attributes Thresholding_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {{"mem_mode", FINN_ATTR_STRING, "internal_decoupled"},
                                     {"ram_style", FINN_ATTR_STRING, "distributed"},
                                     {"runtime_writeable_weights", FINN_ATTR_INT, "0"},
                                     HLS_BACKEND_ATTRS,
                                     {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "Thresholding", .impl = "hls", .attrs = ATTRS};

const finn_op hls_thresholding_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "Thresholding_hls", .ext = &HW};
