/*
 * hw.c - dispatch over HW op tables with the variant -> base fallback
 * described in hw.h.
 */
#include "finn/hw.h"
#include "finn/registry.h"

#include <string.h>

const finn_hw_op *finn_hw_op_of(const finn_registry *reg, const finn_node *n)
{
    if (strncmp(n->domain, FINN_HW_DOMAIN, strlen(FINN_HW_DOMAIN)))
        return NULL;
    const finn_op *op = finn_registry_op(reg, n->domain, n->op_type);
    return op ? op->ext : NULL;
}

const finn_op *finn_hw_base_op(const finn_registry *reg, const finn_op *op)
{
    const finn_hw_op *hw = op ? op->ext : NULL;
    if (!hw || !hw->impl || strncmp(op->domain, FINN_HW_DOMAIN, strlen(FINN_HW_DOMAIN)))
        return NULL;
    return finn_registry_op(reg, FINN_HW_DOMAIN, hw->base);
}

bool finn_hw_is_dataflow_node(const finn_registry *reg, const finn_node *n)
{
    return finn_hw_op_of(reg, n) &&
           !strcmp(finn_node_attr_s(n, "backend", ""), "fpgadataflow");
}

/* The abstract layer behind a variant (NULL for an abstract op). */
static const finn_hw_op *base_of(const finn_registry *reg, const finn_hw_op *hw)
{
    if (!hw || !hw->impl)
        return NULL;
    const finn_op *op = finn_registry_op(reg, FINN_HW_DOMAIN, hw->base);
    return op ? op->ext : NULL;
}

/* The first table in (variant, base) that has hook `field`. */
#define RESOLVE(reg, n, field)                                                \
    const finn_hw_op *hw_ = finn_hw_op_of((reg), (n));                        \
    if (hw_ && !hw_->field)                                                   \
        hw_ = base_of((reg), hw_);                                            \
    if (hw_ && !hw_->field)                                                   \
        hw_ = NULL;

int finn_hw_shape(const finn_registry *reg, const finn_model *m, const finn_node *n,
                  finn_hw_shape_kind kind, size_t index, int *ndim, int64_t *shape,
                  finn_error *err)
{
    RESOLVE(reg, n, shape)
    if (!hw_)
        return finn_error_set(err, FINN_ERR_NOT_FOUND, "node '%s': %s is not a HW op with shapes",
                              n->name, n->op_type);
    return hw_->shape(m, n, kind, index, ndim, shape, err);
}

int64_t finn_hw_instream_width(const finn_registry *reg, const finn_model *m, const finn_node *n,
                               size_t index)
{
    RESOLVE(reg, n, instream_width)
    return hw_ ? hw_->instream_width(m, n, index) : -1;
}

int64_t finn_hw_outstream_width(const finn_registry *reg, const finn_model *m,
                                const finn_node *n, size_t index)
{
    RESOLVE(reg, n, outstream_width)
    return hw_ ? hw_->outstream_width(m, n, index) : -1;
}

int64_t finn_hw_exp_cycles(const finn_registry *reg, const finn_model *m, const finn_node *n)
{
    RESOLVE(reg, n, exp_cycles)
    return hw_ ? hw_->exp_cycles(m, n) : -1;
}

int finn_hw_resources(const finn_registry *reg, const finn_model *m, const finn_node *n,
                      const char *fpga_part, finn_hw_res *out, finn_error *err)
{
    RESOLVE(reg, n, resources)
    if (!hw_)
        return finn_error_set(err, FINN_ERR_UNSUPPORTED,
                              "node '%s': no resource estimate for %s", n->name, n->op_type);
    return hw_->resources(m, n, fpga_part, out, err);
}

int finn_hw_check_folding(const finn_registry *reg, const finn_model *m, const finn_node *n,
                          finn_error *err)
{
    RESOLVE(reg, n, check_folding)
    return hw_ ? hw_->check_folding(m, n, err) : 0;
}

int64_t finn_hw_padded_width(int64_t bits)
{
    return (bits + 7) / 8 * 8;
}
