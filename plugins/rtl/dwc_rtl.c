/*
 * dwc_rtl.c - StreamingDataWidthConverter_rtl: the RTL width converter (integer
 * width ratios only).
 *
 * Execution, shapes, widths and cycles (0) come from the abstract layer;
 * the resource estimate is FINN's LUT model shared with the hls variant
 * (res_other.c, finn-backend.md 11.6).
 */
#include "rtl.h"
#include "res_other.h"

/* Attributes StreamingDataWidthConverter_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "StreamingDataWidthConverter", .impl = "rtl", .attrs = ATTRS, .resources = ro_dwc_resources};

const finn_op rtl_dwc_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "StreamingDataWidthConverter_rtl", .ext = &HW};
