/*
 * transform_infer.c - InferShapes and InferDataTypes over the op registry
 * (QONNX's infer_shapes.py / infer_datatypes.py; finn-frontend.md 5.1, 5.3).
 *
 * Shapes: every node's op provides infer_shapes; nodes run in graph order,
 * as ONNX shape inference does.  Datatypes: custom-domain ops provide their
 * own rule; standard ops follow QONNX's table, implemented here.
 */
#include "finn/hw.h"
#include "finn/registry.h"
#include "finn/transforms.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

/* Like ONNX's (non-strict) shape inference, a node whose output shape
 * cannot be known yet - a Reshape whose shape is computed at run time, or
 * anything downstream of it - keeps its outputs unknown instead of failing
 * the pass: FoldConstants resolves such chains and a later pass fills the
 * shapes in.  An op that no plugin knows is still an error. */
int finn_infer_shapes(const finn_registry *reg, finn_model *m, finn_error *err)
{
    for (size_t i = 0; i < m->n_nodes; i++) {
        finn_node *n = m->nodes[i];
        const finn_op *op = finn_registry_op(reg, n->domain, n->op_type);
        if (op && !op->infer_shapes && finn_hw_base_op(reg, op)) /* HW variant */
            op = finn_hw_base_op(reg, op);
        if (!op || !op->infer_shapes)
            return finn_error_set(err, FINN_ERR_NOT_FOUND,
                                  "InferShapes: node '%s': no plugin infers shapes for op %s%s%s",
                                  n->name, n->domain, n->domain[0] ? "::" : "", n->op_type);
        finn_error ignored = {0};
        if (op->infer_shapes(m, n, &ignored) && ignored.code == FINN_ERR_NOMEM)
            return finn_error_set(err, FINN_ERR_NOMEM, "%s", ignored.msg);
    }
    return 0;
}

static bool in_list(const char *s, const char *const *list)
{
    for (; *list; list++)
        if (!strcmp(s, *list))
            return true;
    return false;
}

/* Ops whose outputs carry input[0]'s datatype. */
static const char *const SAME_AS_INPUT[] = {
    "Reshape", "Transpose", "Flatten", "Slice", "Gather", "GatherElements", "GatherND",
    "Identity", "Expand", "MaxPool", "GlobalMaxPool", "Scatter", "ScatterElements", "ScatterND",
    "Squeeze", "Unsqueeze", "Tile", "Pad", "Concat", "Clip", NULL};
static const char *const MAC_LIKE[] = {"MatMul", "Gemm", "Conv", "Add", "Sub", "Mul", NULL};

static bool dt_is_scaledint(finn_datatype d)
{
    return d.kind == FINN_DT_SCALEDINT;
}

static bool dt_is_float_named(finn_datatype d)
{
    /* QONNX tests `"FLOAT" in dt.name`: FLOAT32, FLOAT16 and FLOAT<e,m,b> */
    return d.kind == FINN_DT_FLOAT32 || d.kind == FINN_DT_FLOAT16 || d.kind == FINN_DT_FLOAT;
}

static int set_all_outputs(finn_model *m, const finn_node *n, finn_datatype dt, finn_error *err)
{
    for (size_t k = 0; k < n->n_outputs; k++)
        if (n->outputs[k][0] && finn_model_set_datatype(m, n->outputs[k], dt, err))
            return -1;
    return 0;
}

static int infer_standard(finn_model *m, const finn_node *n, finn_error *err)
{
    const char *op = n->op_type;
    if (!strcmp(op, "Sign"))
        return set_all_outputs(m, n, finn_dt_bipolar(), err);
    if (in_list(op, MAC_LIKE)) {
        bool all_int = true, all_intlike = true, any_signed = false, any_float = false;
        for (size_t k = 0; k < n->n_inputs; k++) {
            if (!n->inputs[k][0])
                continue;
            finn_datatype d = finn_model_datatype(m, n->inputs[k]);
            all_int &= finn_dt_is_integer(d);
            all_intlike &= finn_dt_is_integer(d) || finn_dt_is_fixed_point(d) || dt_is_scaledint(d);
            any_signed |= finn_dt_signed(d);
            any_float |= dt_is_float_named(d);
        }
        finn_datatype out;
        if (all_int)
            out = (any_signed || !strcmp(op, "Sub")) ? finn_dt_int(32) : finn_dt_uint(32);
        else if (all_intlike)
            out = (finn_datatype){FINN_DT_SCALEDINT, 32, 0, 0, 0};
        else if (any_float)
            out = finn_dt_float32();
        else
            return 0; /* keep what the outputs have */
        return set_all_outputs(m, n, out, err);
    }
    if (!strcmp(op, "Resize") || !strcmp(op, "Upsample")) {
        if (!strcmp(finn_node_attr_s(n, "mode", "nearest"), "nearest"))
            return set_all_outputs(m, n, finn_model_datatype(m, n->inputs[0]), err);
    } else if (in_list(op, SAME_AS_INPUT) && n->n_inputs > 0) {
        return set_all_outputs(m, n, finn_model_datatype(m, n->inputs[0]), err);
    } else if (!strcmp(op, "QuantizeLinear") && n->n_outputs > 0) {
        const finn_value *v = finn_model_value(m, n->outputs[0]);
        bool is_signed = v && v->elem == FINN_ELEM_INT8;
        return set_all_outputs(m, n, is_signed ? finn_dt_int(8) : finn_dt_uint(8), err);
    } else if (!strcmp(op, "DequantizeLinear") && n->n_inputs > 0) {
        int bits = finn_dt_bitwidth(finn_model_datatype(m, n->inputs[0]));
        return set_all_outputs(m, n, (finn_datatype){FINN_DT_SCALEDINT, bits, 0, 0, 0}, err);
    }
    /* anything else: keep a non-FLOAT32 annotation, else FLOAT32 */
    for (size_t k = 0; k < n->n_outputs; k++) {
        if (!n->outputs[k][0])
            continue;
        finn_datatype d = finn_model_datatype(m, n->outputs[k]);
        if (d.kind == FINN_DT_FLOAT32 && finn_model_set_datatype(m, n->outputs[k], d, err))
            return -1;
    }
    return 0;
}

/* The annotations of a node's outputs, joined, to see whether a pass
 * changed anything. */
static char *output_dts(const finn_model *m, const finn_node *n)
{
    size_t len = 1;
    for (size_t k = 0; k < n->n_outputs; k++) {
        const char *s = finn_model_annotation(m, n->outputs[k], "finn_datatype");
        len += (s ? strlen(s) : 0) + 1;
    }
    char *buf = malloc(len);
    if (!buf)
        return NULL;
    buf[0] = 0;
    for (size_t k = 0; k < n->n_outputs; k++) {
        const char *s = finn_model_annotation(m, n->outputs[k], "finn_datatype");
        strcat(buf, s ? s : "");
        strcat(buf, ";");
    }
    return buf;
}

int finn_infer_datatypes(const finn_registry *reg, finn_model *m, finn_error *err)
{
    bool changed = true;
    for (int iter = 0; changed && iter < 1000; iter++) {
        changed = false;
        for (size_t i = 0; i < m->n_nodes; i++) {
            finn_node *n = m->nodes[i];
            char *before = output_dts(m, n);
            if (!before)
                return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
            int rc;
            if (n->domain[0]) {
                const finn_op *op = finn_registry_op(reg, n->domain, n->op_type);
                if (op && !op->infer_datatypes && finn_hw_base_op(reg, op)) /* HW variant */
                    op = finn_hw_base_op(reg, op);
                if (!op || !op->infer_datatypes) {
                    free(before);
                    return finn_error_set(err, FINN_ERR_NOT_FOUND,
                                          "InferDataTypes: node '%s': no plugin infers datatypes "
                                          "for op %s::%s",
                                          n->name, n->domain, n->op_type);
                }
                rc = op->infer_datatypes(m, n, err);
            } else {
                rc = infer_standard(m, n, err);
            }
            if (rc) {
                free(before);
                if (strncmp(err->msg, "node '", 6))
                    finn_error_prefix(err, "InferDataTypes: node '%s' (%s): ", n->name,
                                      n->op_type);
                return -1;
            }
            char *after = output_dts(m, n);
            if (!after) {
                free(before);
                return finn_error_set(err, FINN_ERR_NOMEM, "out of memory");
            }
            changed |= strcmp(before, after) != 0;
            free(before);
            free(after);
        }
    }
    /* scaled-integer results are not allowed by default: they become FLOAT32 */
    for (size_t i = 0; i < m->n_nodes; i++) {
        const finn_node *n = m->nodes[i];
        for (size_t k = 0; k < n->n_outputs; k++)
            if (n->outputs[k][0] && dt_is_scaledint(finn_model_datatype(m, n->outputs[k])) &&
                finn_model_set_datatype(m, n->outputs[k], finn_dt_float32(), err))
                return -1;
    }
    return 0;
}
