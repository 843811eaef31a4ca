/*
 * fmpadding_rtl.c - FMPadding_rtl: the RTL feature-map padding (optionally runtime-
 * configurable).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract FMPadding layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "rtl.h"

/* Attributes FMPadding_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {
    {"dynamic_mode", FINN_ATTR_INT, "0"}, RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "FMPadding", .impl = "rtl", .attrs = ATTRS};

const finn_op rtl_fmpadding_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "FMPadding_rtl", .ext = &HW};
