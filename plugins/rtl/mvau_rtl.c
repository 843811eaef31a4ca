/*
 * mvau_rtl.c - MVAU_rtl: the RTL matrix-vector unit on DSP slices (no embedded
 * thresholds, signed weights of at most 8 bits).
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract MVAU layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "rtl.h"

/* Attributes MVAU_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {RTL_BACKEND_ATTRS, {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "MVAU", .impl = "rtl", .attrs = ATTRS};

const finn_op rtl_mvau_op = {.domain = FINN_HW_DOMAIN_RTL, .op_type = "MVAU_rtl", .ext = &HW};
