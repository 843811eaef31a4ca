/*
 * thresholding_rtl.c - Thresholding_rtl: the RTL binary-search threshold unit; its memory is
 * chosen by depth triggers.
 *
 * Only the registration for now: every hook is NULL, so execution, shapes,
 * widths and cycles come from the abstract Thresholding layer.  The resource
 * estimate (and later code generation) of this variant goes into this file.
 */
#include "rtl.h"

/* Attributes Thresholding_rtl adds to its abstract layer (FINN's own + backend). */
static const finn_hw_attr ATTRS[] = {{"depth_trigger_uram", FINN_ATTR_INT, "0"},
                                     {"depth_trigger_bram", FINN_ATTR_INT, "0"},
                                     {"uniform_thres", FINN_ATTR_INT, "0"},
                                     {"deep_pipeline", FINN_ATTR_INT, "1"},
                                     RTL_BACKEND_ATTRS,
                                     {NULL, 0, NULL}};

static const finn_hw_op HW = {.base = "Thresholding", .impl = "rtl", .attrs = ATTRS};

const finn_op rtl_thresholding_op = {
    .domain = FINN_HW_DOMAIN_RTL, .op_type = "Thresholding_rtl", .ext = &HW};
