/*
 * swg_rtl.c - ConvolutionInputGenerator_rtl: the RTL sliding-window generator (any
 * kernel/stride/dilation, parallel window, dynamic mode).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract ConvolutionInputGenerator layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "rtl.h"

/* Attributes ConvolutionInputGenerator_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {{"M", FINN_ATTR_INT, "1"}, RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "ConvolutionInputGenerator", .impl = "rtl", .attrs = ATTRS};

const finn_op rtl_swg_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "ConvolutionInputGenerator_rtl", .ext = &HW};
