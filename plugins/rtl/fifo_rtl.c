/*
 * fifo_rtl.c - StreamingFIFO_rtl: the FIFO between layers (RTL shift register or
 * Vivado FIFO IP by impl_style).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract StreamingFIFO layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "rtl.h"

/* Attributes StreamingFIFO_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {
    {"impl_style", FINN_ATTR_STRING, "rtl"}, RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "StreamingFIFO", .impl = "rtl", .attrs = ATTRS};

const finn_op rtl_fifo_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "StreamingFIFO_rtl", .ext = &HW};
