/*
 * dwc_rtl.c - StreamingDataWidthConverter_rtl: the RTL width converter (integer
 * width ratios only).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract StreamingDataWidthConverter layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "rtl.h"

/* Attributes StreamingDataWidthConverter_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "StreamingDataWidthConverter", .impl = "rtl", .attrs = ATTRS};

const finn_op rtl_dwc_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "StreamingDataWidthConverter_rtl", .ext = &HW};
