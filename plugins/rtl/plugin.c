/*
 * plugin.c - registers the RTL variants (rtl.h) as finn_ops whose `ext`
 * is a finn_hw_op naming their abstract base layer.
 */
#include "rtl.h"

static const finn_op *const OPS[] = {
    &rtl_mvau_op,      &rtl_vvau_op, &rtl_thresholding_op, &rtl_swg_op,
    &rtl_fmpadding_op, &rtl_dwc_op,  &rtl_fifo_op,
};

static int init(finn_registry *reg, finn_error *err)
{
    for (size_t i = 0; i < sizeof OPS / sizeof OPS[0]; i++)
        if (finn_registry_add_op(reg, OPS[i], err))
            return -1;
    return 0;
}

FINN_PLUGIN_DEFINE("rtl", "1.0", init)
