/*
 * fmpadding_rtl.c - FMPadding_rtl: the RTL feature-map padding (optionally runtime-
 * configurable).
 *
 * Execution, shapes, widths and cycles come from the abstract FMPadding
 * layer.  FINN has no resource model for it: the estimate is
 * HWCustomOp's default (all zero, efficiencies 1; finn-backend.md 11.6).
 */
#include "rtl.h"
#include "res_other.h"

/* Attributes FMPadding_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {
    {"dynamic_mode", FINN_ATTR_INT, "0"}, RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "FMPadding", .impl = "rtl", .attrs = ATTRS, .resources = ro_res_none};

const finn_op rtl_fmpadding_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "FMPadding_rtl", .ext = &HW};
