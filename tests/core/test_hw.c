/* test_hw.c - the HW op extension table: a variant that fills only its
 * resource estimate falls back to its abstract layer for shapes, widths,
 * cycles, execution and inference. */
#include "finn/hw.h"
#include "finn/registry.h"
#include "finn/transforms.h"
#include "test.h"

#include <stdlib.h>

static finn_error err;

/* The abstract "Toy": output = input + 1, shape copied, width 8 * C. */
static int toy_shape(const finn_model *m, const finn_node *n, finn_hw_shape_kind kind,
                     size_t index, int *ndim, int64_t *shape, finn_error *e)
{
    (void)m, (void)index, (void)e;
    *ndim = 2;
    shape[0] = 1;
    shape[1] = finn_node_attr_i(n, "C", 0) * (kind == FINN_HW_FOLDED_OUT ? 10 : 1);
    return 0;
}
static int64_t toy_width(const finn_model *m, const finn_node *n, size_t i)
{
    (void)m, (void)i;
    return 8 * finn_node_attr_i(n, "C", 0);
}
static int64_t toy_cycles(const finn_model *m, const finn_node *n)
{
    (void)m;
    return finn_node_attr_i(n, "C", 0) / finn_node_attr_i(n, "PE", 1);
}
static int toy_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *e)
{
    (void)m;
    finn_tensor *x = finn_exec_ctx_get(ctx, n->inputs[0]);
    finn_tensor *y = finn_tensor_copy(x, e);
    for (size_t i = 0; y && i < finn_tensor_numel(y); i++)
        finn_tensor_set(y, i, finn_tensor_get(y, i) + 1);
    return y ? finn_exec_ctx_set(ctx, n->outputs[0], y, e) : -1;
}
static int toy_infer_dt(finn_model *m, finn_node *n, finn_error *e)
{
    return finn_model_set_datatype(m, n->outputs[0], finn_dt_uint(5), e);
}
static const finn_hw_op TOY_HW = {"Toy", NULL, NULL, toy_shape, toy_width, toy_width,
                                  toy_cycles, NULL, NULL, NULL};
static const finn_op TOY = {FINN_HW_DOMAIN, "Toy", NULL, toy_infer_dt, toy_exec, &TOY_HW};

/* The HLS variant only knows its resources. */
static int toy_hls_res(const finn_model *m, const finn_node *n, const char *part,
                       finn_hw_res *out, finn_error *e)
{
    (void)m, (void)part, (void)e;
    out->lut = 100.0 * (double)finn_node_attr_i(n, "PE", 1);
    out->bram_18k = 2;
    return 0;
}
static const finn_hw_op TOY_HLS_HW = {"Toy", "hls", NULL, NULL, NULL, NULL,
                                      NULL, toy_hls_res, NULL, NULL};
static const finn_op TOY_HLS = {FINN_HW_DOMAIN_HLS, "Toy_hls", NULL, NULL, NULL, &TOY_HLS_HW};

static finn_node *toy_node(const char *op, const char *domain)
{
    finn_node *n = finn_node_new(op, domain, "t0", &err);
    finn_node_add_input(n, "x", &err);
    finn_node_add_output(n, "y", &err);
    finn_node_set_attr_i(n, "C", 12, &err);
    finn_node_set_attr_i(n, "PE", 3, &err);
    finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
    return n;
}

int main(void)
{
    finn_registry *reg = finn_registry_new(&err);
    CHECK_EQ_INT(finn_registry_add_op(reg, &TOY, &err), 0);
    CHECK_EQ_INT(finn_registry_add_op(reg, &TOY_HLS, &err), 0);
    finn_model *m = finn_model_new("g", &err);
    m->inputs = calloc(1, sizeof(char *));
    m->inputs[0] = strdup("x");
    m->n_inputs = 1;
    m->outputs = calloc(1, sizeof(char *));
    m->outputs[0] = strdup("y");
    m->n_outputs = 1;
    finn_node *n = toy_node("Toy_hls", FINN_HW_DOMAIN_HLS);
    finn_model_insert_node(m, 0, n, &err);

    CHECK(finn_hw_op_of(reg, n) == &TOY_HLS_HW);
    CHECK(finn_hw_is_dataflow_node(reg, n));
    CHECK(finn_hw_base_op(reg, &TOY_HLS) == &TOY);
    CHECK(finn_hw_base_op(reg, &TOY) == NULL);
    int nd = 0;
    int64_t shape[FINN_MAX_DIMS];
    CHECK_EQ_INT(finn_hw_shape(reg, m, n, FINN_HW_FOLDED_OUT, 0, &nd, shape, &err), 0);
    CHECK_EQ_INT(nd, 2);
    CHECK_EQ_INT(shape[1], 120);
    CHECK_EQ_INT(finn_hw_instream_width(reg, m, n, 0), 96);
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, n), 4);
    finn_hw_res r = {0};
    CHECK_EQ_INT(finn_hw_resources(reg, m, n, "xc7z020clg400-1", &r, &err), 0);
    CHECK_EQ_DBL(r.lut, 300);
    CHECK_EQ_DBL(r.bram_18k, 2);
    CHECK_EQ_INT(finn_hw_check_folding(reg, m, n, &err), 0); /* no rule: accepted */
    CHECK_EQ_INT(finn_hw_padded_width(13), 16);
    CHECK_EQ_INT(finn_hw_padded_width(16), 16);

    /* execution and datatype inference use the abstract layer */
    int64_t s[2] = {1, 3};
    finn_tensor *x = finn_tensor_new(FINN_ELEM_FLOAT, 2, s, &err);
    finn_tensor_set(x, 2, 4);
    finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
    finn_exec_ctx_set(ctx, "x", x, &err);
    CHECK_EQ_INT(finn_execute(reg, m, ctx, &err), 0);
    finn_tensor *y = finn_exec_ctx_get(ctx, "y");
    CHECK(y && finn_tensor_get(y, 0) == 1 && finn_tensor_get(y, 2) == 5);
    finn_exec_ctx_free(ctx);
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(finn_model_annotation(m, "y", "finn_datatype"), "UINT5");

    /* the abstract layer has no resource estimate: a clear error */
    finn_node *a = toy_node("Toy", FINN_HW_DOMAIN);
    CHECK_EQ_INT(finn_hw_resources(reg, m, a, "xc7z020clg400-1", &r, &err), -1);
    CHECK_STR(err.msg, "node 't0': no resource estimate for Toy");
    /* a non-HW node */
    finn_node *relu = finn_node_new("Relu", "", "r", &err);
    CHECK(finn_hw_op_of(reg, relu) == NULL);
    CHECK(!finn_hw_is_dataflow_node(reg, relu));
    CHECK_EQ_INT(finn_hw_exp_cycles(reg, m, relu), -1);
    finn_node_free(relu);
    finn_node_free(a);
    finn_model_free(m);
    finn_registry_free(reg);
    return test_done();
}
