/* test_infer.c - InferDataTypes' rules for standard ops, custom-op hooks,
 * and InferShapes through the registry (with test ops registered here, so
 * the test does not depend on the op plugins). */
#include "finn/registry.h"
#include "finn/transforms.h"
#include "test.h"

#include <stdlib.h>

static finn_error err;

static finn_model *new_model(void)
{
    finn_model *m = finn_model_new("g", &err);
    m->inputs = calloc(2, sizeof(char *));
    m->inputs[0] = strdup("a");
    m->inputs[1] = strdup("b");
    m->n_inputs = 2;
    m->outputs = calloc(1, sizeof(char *));
    m->outputs[0] = strdup("y");
    m->n_outputs = 1;
    return m;
}

static finn_node *add_node(finn_model *m, const char *op, const char *domain, const char *in0,
                           const char *in1, const char *out)
{
    finn_node *n = finn_node_new(op, domain, op, &err);
    finn_node_add_input(n, in0, &err);
    if (in1)
        finn_node_add_input(n, in1, &err);
    finn_node_add_output(n, out, &err);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    return n;
}

static const char *dt_of(const finn_model *m, const char *t)
{
    static char buf[FINN_DT_NAME_MAX];
    const char *a = finn_model_annotation(m, t, "finn_datatype");
    return a ? strcpy(buf, a) : "(none)";
}

/* One binary standard op with input types ta, tb: the output type. */
static const char *binary(finn_registry *reg, const char *op, const char *ta, const char *tb)
{
    static char out[FINN_DT_NAME_MAX];
    finn_model *m = new_model();
    finn_datatype da, db;
    if (ta && finn_dt_parse(ta, &da, &err) == 0)
        finn_model_set_datatype(m, "a", da, &err);
    if (tb && finn_dt_parse(tb, &db, &err) == 0)
        finn_model_set_datatype(m, "b", db, &err);
    add_node(m, op, "", "a", "b", "y");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    strcpy(out, dt_of(m, "y"));
    finn_model_free(m);
    return out;
}

static void test_mac_rules(finn_registry *reg)
{
    CHECK_STR(binary(reg, "Mul", "UINT8", "INT2"), "INT32");     /* one signed input */
    CHECK_STR(binary(reg, "Add", "UINT4", "UINT4"), "UINT32");   /* all unsigned */
    CHECK_STR(binary(reg, "Sub", "UINT4", "UINT4"), "INT32");    /* Sub is always signed */
    CHECK_STR(binary(reg, "MatMul", "BIPOLAR", "BINARY"), "INT32");
    CHECK_STR(binary(reg, "Mul", "UINT8", NULL), "FLOAT32");     /* plain constant = FLOAT32 */
    CHECK_STR(binary(reg, "Mul", "FIXED<8,4>", "INT4"), "FLOAT32"); /* SCALEDINT -> FLOAT32 */
    CHECK_STR(binary(reg, "Div", "INT4", "INT4"), "FLOAT32");    /* not MAC-like */
    CHECK_STR(binary(reg, "Reshape", "INT4", NULL), "INT4");     /* identity-type */
    CHECK_STR(binary(reg, "Concat", "UINT2", "INT8"), "UINT2");  /* first input only */
}

static void test_other_rules(finn_registry *reg)
{
    finn_model *m = new_model();
    add_node(m, "Sign", "", "a", NULL, "s");
    add_node(m, "Relu", "", "s", NULL, "r");
    add_node(m, "AveragePool", "", "r", NULL, "p");
    finn_model_set_datatype(m, "p", finn_dt_uint(4), &err);
    finn_node *rs = add_node(m, "Resize", "", "s", NULL, "z");
    finn_node_set_attr_s(rs, "mode", "linear", &err);
    add_node(m, "Upsample", "", "s", NULL, "u");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(dt_of(m, "s"), "BIPOLAR");
    CHECK_STR(dt_of(m, "r"), "FLOAT32"); /* explicit annotation, as QONNX writes */
    CHECK_STR(dt_of(m, "p"), "UINT4");   /* a non-FLOAT32 annotation is kept */
    CHECK_STR(dt_of(m, "z"), "FLOAT32"); /* linear resize: generic rule */
    CHECK_STR(dt_of(m, "u"), "BIPOLAR"); /* nearest (default mode) keeps input type */
    finn_model_free(m);
}

/* A custom op whose rule sets UINT3 on its output and whose shape rule
 * copies input 0's shape. */
static int t_dt(finn_model *m, finn_node *n, finn_error *e)
{
    return finn_model_set_datatype(m, n->outputs[0], finn_dt_uint(3), e);
}
static int t_shape(finn_model *m, finn_node *n, finn_error *e)
{
    const finn_value *v = finn_model_value(m, n->inputs[0]);
    if (!v || v->ndim < 0)
        return finn_error_set(e, FINN_ERR_INVALID, "input shape unknown");
    return finn_model_set_shape(m, n->outputs[0], v->elem, v->ndim, v->shape, e);
}
static const finn_op T_OP = {"qonnx.custom_op.general", "TestOp", t_shape, t_dt, NULL, NULL};

static void test_custom_and_shapes(finn_registry *reg)
{
    finn_model *m = new_model();
    int64_t shape[3] = {1, 5, 7};
    finn_model_set_shape(m, "a", FINN_ELEM_FLOAT, 3, shape, &err);
    add_node(m, "TestOp", "onnx.brevitas", "a", NULL, "t"); /* alias domain */
    add_node(m, "Reshape", "", "t", NULL, "y");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), 0);
    CHECK_STR(dt_of(m, "t"), "UINT3");
    CHECK_STR(dt_of(m, "y"), "UINT3"); /* propagated to the next node */
    /* shapes: TestOp has a rule, Reshape has none in this registry */
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), -1);
    CHECK_STR(err.msg, "InferShapes: node 'Reshape': no plugin infers shapes for op Reshape");
    const finn_value *t = finn_model_value(m, "t");
    CHECK(t && t->ndim == 3 && t->shape[2] == 7 && t->in_value_info);
    /* an unknown custom op is named */
    add_node(m, "Mystery", "finn.custom_op.fpgadataflow", "y", NULL, "q");
    CHECK_EQ_INT(finn_infer_datatypes(reg, m, &err), -1);
    CHECK_STR(err.msg, "InferDataTypes: node 'Mystery': no plugin infers datatypes for op "
                       "finn.custom_op.fpgadataflow::Mystery");
    finn_model_free(m);
}

/* A shape that cannot be known yet stays unknown; the pass goes on. */
static void test_unknown_shapes(finn_registry *reg)
{
    finn_model *m = new_model();
    add_node(m, "TestOp", "qonnx.custom_op.general", "a", NULL, "t"); /* "a" has no shape */
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), 0);
    const finn_value *t = finn_model_value(m, "t");
    CHECK(t == NULL || t->ndim < 0);
    finn_model_free(m);
}

int main(void)
{
    finn_registry *reg = finn_registry_new(&err);
    CHECK_EQ_INT(finn_registry_add_op(reg, &T_OP, &err), 0);
    test_mac_rules(reg);
    test_other_rules(reg);
    test_custom_and_shapes(reg);
    test_unknown_shapes(reg);
    finn_registry_free(reg);
    return test_done();
}
