/*
 * rtl.h - the RTL implementation variants of FINN's HW layers
 * (domain "finn.custom_op.fpgadataflow.rtl"), one file per op family.
 */
#ifndef FINN_PLUGIN_RTL_H
#define FINN_PLUGIN_RTL_H

#include "finn/plugin.h"

/* Attributes every RTL variant has (RTLBackend.get_nodeattr_types). */
#define RTL_BACKEND_ATTRS {"gen_top_module", FINN_ATTR_STRING, ""}

extern const finn_op rtl_mvau_op, rtl_vvau_op, rtl_thresholding_op, rtl_swg_op, rtl_fmpadding_op,
    rtl_dwc_op, rtl_fifo_op;

#endif
