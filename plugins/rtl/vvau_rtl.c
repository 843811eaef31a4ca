/*
 * vvau_rtl.c - VVAU_rtl: the RTL vector-vector unit (DSP58, Versal only).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract VVAU layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "rtl.h"

/* Attributes VVAU_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "VVAU", .impl = "rtl", .attrs = ATTRS};

const finn_op rtl_vvau_op = {.domain = FINN_HW_DOMAIN_RTL, .op_type = "VVAU_rtl", .ext = &HW};
