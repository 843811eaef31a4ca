/*
 * dwc_hls.c - StreamingDataWidthConverter_hls: the HLS stream width converter (any
 * width ratio).
 *
 * Execution, shapes, widths and cycles (0) come from the abstract layer;
 * the resource estimate is FINN's LUT model shared with the rtl variant
 * (res_other.c, finn-backend.md 11.6).
 */
#include "hls.h"
#include "res_other.h"

/* Attributes StreamingDataWidthConverter_hls adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {HLS_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "StreamingDataWidthConverter", .impl = "hls", .attrs = ATTRS, .resources = ro_dwc_resources};

const finn_op hls_dwc_op = {
    .domain = FINN_HW_DOMAIN_HLS, .op_type = "StreamingDataWidthConverter_hls", .ext = &HW};
