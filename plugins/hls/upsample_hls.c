/*
 * upsample_hls.c - UpsampleNearestNeighbour_hls: nearest-neighbour upsampling.
 *
 * Execution, shapes, widths and cycles come from the abstract layer.  FINN
 * has no resource model for it: the estimate is HWCustomOp's default (all
 * zero, efficiencies 1; finn-backend.md 11.6).
 */
#include "hls.h"
#include "res_other.h"

/* Attributes UpsampleNearestNeighbour_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "UpsampleNearestNeighbour", .impl = "hls", .attrs = ATTRS, .resources = ro_res_none};

const finn_op hls_upsample_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "UpsampleNearestNeighbour_hls", .ext = &HW};
