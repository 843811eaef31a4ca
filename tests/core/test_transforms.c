/* test_transforms.c - the QONNX/FINN general transformations: cleanup
 * passes, readable names, FoldConstants, RemoveIdentityOps,
 * InferDataLayouts and MergeONNXModels, on small hand-built graphs.
 *
 * The ops these graphs use are tiny test ops registered here (not the
 * plugins), so the test depends on the core only. */
#include "finn/exec.h"
#include "finn/registry.h"
#include "finn/transforms.h"
#include "test.h"

#include <stdint.h>
#include <stdlib.h>

static finn_error err;

/* ---- test ops --------------------------------------------------------------- */

static double apply_bin(const char *op, finn_elem_type t, double x, double y)
{
    if (t == FINN_ELEM_FLOAT) { /* float32 arithmetic, as onnxruntime */
        float a = (float)x, b = (float)y;
        return !strcmp(op, "Add") ? a + b : !strcmp(op, "Mul") ? a * b : a / b;
    }
    return !strcmp(op, "Add") ? x + y : !strcmp(op, "Mul") ? x * y : x / y;
}

/* Add/Mul/Div where one side has one element or both have the same count. */
static int bin_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *e)
{
    (void)m;
    const finn_tensor *a = finn_exec_ctx_get(ctx, n->inputs[0]);
    const finn_tensor *b = finn_exec_ctx_get(ctx, n->inputs[1]);
    size_t na = finn_tensor_numel(a), nb = finn_tensor_numel(b);
    const finn_tensor *big = na >= nb ? a : b;
    if (na != nb && na != 1 && nb != 1)
        return finn_error_set(e, FINN_ERR_UNSUPPORTED, "test op: unsupported broadcast");
    finn_tensor *o = finn_tensor_new(a->type, big->ndim, big->shape, e);
    if (!o)
        return -1;
    for (size_t i = 0; i < finn_tensor_numel(big); i++)
        finn_tensor_set(o, i, apply_bin(n->op_type, a->type, finn_tensor_get(a, na == 1 ? 0 : i),
                                        finn_tensor_get(b, nb == 1 ? 0 : i)));
    return finn_exec_ctx_set(ctx, n->outputs[0], o, e);
}

static int bin_shapes(finn_model *m, finn_node *n, finn_error *e)
{
    const finn_value *a = finn_model_value(m, n->inputs[0]);
    const finn_value *b = finn_model_value(m, n->inputs[1]);
    if (!a || !b || a->ndim < 0 || b->ndim < 0)
        return finn_error_set(e, FINN_ERR_INVALID, "test op: unknown input shape");
    const finn_value *big =
        finn_shape_numel(a->ndim, a->shape) >= finn_shape_numel(b->ndim, b->shape) ? a : b;
    return finn_model_set_shape(m, n->outputs[0], a->elem, big->ndim, big->shape, e);
}

static int copy_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *e)
{
    (void)m;
    finn_tensor *o = finn_tensor_copy(finn_exec_ctx_get(ctx, n->inputs[0]), e);
    return o ? finn_exec_ctx_set(ctx, n->outputs[0], o, e) : -1;
}

static int copy_shapes(finn_model *m, finn_node *n, finn_error *e)
{
    const finn_value *a = finn_model_value(m, n->inputs[0]);
    if (!a || a->ndim < 0)
        return finn_error_set(e, FINN_ERR_INVALID, "test op: unknown input shape");
    return finn_model_set_shape(m, n->outputs[0], a->elem, a->ndim, a->shape, e);
}

static int shape_exec(const finn_model *m, const finn_node *n, finn_exec_ctx *ctx, finn_error *e)
{
    (void)m;
    const finn_tensor *a = finn_exec_ctx_get(ctx, n->inputs[0]);
    int64_t nd = a->ndim;
    finn_tensor *o = finn_tensor_new(FINN_ELEM_INT64, 1, &nd, e);
    if (!o)
        return -1;
    for (int d = 0; d < a->ndim; d++)
        ((int64_t *)o->data)[d] = a->shape[d];
    return finn_exec_ctx_set(ctx, n->outputs[0], o, e);
}

static int shape_shapes(finn_model *m, finn_node *n, finn_error *e)
{
    const finn_value *a = finn_model_value(m, n->inputs[0]);
    int64_t nd = a ? a->ndim : 0;
    return finn_model_set_shape(m, n->outputs[0], FINN_ELEM_INT64, 1, &nd, e);
}

static const finn_op TEST_OPS[] = {
    {"", "Add", bin_shapes, NULL, bin_exec, NULL},
    {"", "Mul", bin_shapes, NULL, bin_exec, NULL},
    {"", "Div", bin_shapes, NULL, bin_exec, NULL},
    {"", "Identity", copy_shapes, NULL, copy_exec, NULL},
    {"", "Shape", shape_shapes, NULL, shape_exec, NULL},
    {"qonnx.custom_op.general", "Quant", copy_shapes, NULL, copy_exec, NULL},
};

static finn_registry *test_registry(void)
{
    finn_registry *reg = finn_registry_new(&err);
    for (size_t i = 0; i < sizeof TEST_OPS / sizeof TEST_OPS[0]; i++)
        CHECK_EQ_INT(finn_registry_add_op(reg, &TEST_OPS[i], &err), 0);
    return reg;
}

/* ---- graph building helpers -------------------------------------------------- */

static finn_model *new_model(int64_t opset)
{
    finn_model *m = finn_model_new("g", &err);
    CHECK_EQ_INT(finn_model_set_opset(m, "", opset, &err), 0);
    return m;
}

static void push_name(char ***list, size_t *n, const char *name)
{
    *list = realloc(*list, (*n + 1) * sizeof **list);
    (*list)[(*n)++] = strdup(name);
}

static void add_input(finn_model *m, const char *name, int ndim, const int64_t *shape)
{
    push_name(&m->inputs, &m->n_inputs, name);
    CHECK_EQ_INT(finn_model_set_shape(m, name, FINN_ELEM_FLOAT, ndim, shape, &err), 0);
}

static void add_output(finn_model *m, const char *name, int ndim, const int64_t *shape)
{
    push_name(&m->outputs, &m->n_outputs, name);
    if (ndim >= 0)
        CHECK_EQ_INT(finn_model_set_shape(m, name, FINN_ELEM_FLOAT, ndim, shape, &err), 0);
}

static void add_init(finn_model *m, const char *name, int ndim, const int64_t *shape,
                     const float *data)
{
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, ndim, shape, &err);
    for (size_t i = 0; i < finn_tensor_numel(t); i++)
        ((float *)t->data)[i] = data[i];
    CHECK_EQ_INT(finn_model_set_initializer(m, name, t, &err), 0);
}

static void add_scalar(finn_model *m, const char *name, float v)
{
    add_init(m, name, 0, NULL, &v);
}

/* ins/outs: comma-separated tensor names ("" entries allowed as ",") */
static finn_node *add_node(finn_model *m, const char *op, const char *domain, const char *name,
                           const char *ins, const char *outs)
{
    finn_node *n = finn_node_new(op, domain, name, &err);
    for (int pass = 0; pass < 2; pass++) {
        const char *s = pass ? outs : ins;
        while (s && *s) {
            const char *c = strchr(s, ',');
            size_t len = c ? (size_t)(c - s) : strlen(s);
            char buf[128];
            snprintf(buf, sizeof buf, "%.*s", (int)len, s);
            if (pass)
                finn_node_add_output(n, buf, &err);
            else
                finn_node_add_input(n, buf, &err);
            s = c ? c + 1 : NULL;
        }
    }
    CHECK_EQ_INT(finn_model_insert_node(m, m->n_nodes, n, &err), 0);
    return n;
}

/* "name:op(in,in)->out" for node i */
static const char *node_str(const finn_model *m, size_t i)
{
    static char buf[512];
    if (i >= m->n_nodes)
        return "(none)";
    const finn_node *n = m->nodes[i];
    int k = snprintf(buf, sizeof buf, "%s:%s(", n->name, n->op_type);
    for (size_t j = 0; j < n->n_inputs; j++)
        k += snprintf(buf + k, sizeof buf - (size_t)k, "%s%s", j ? "," : "", n->inputs[j]);
    k += snprintf(buf + k, sizeof buf - (size_t)k, ")->");
    for (size_t j = 0; j < n->n_outputs; j++)
        k += snprintf(buf + k, sizeof buf - (size_t)k, "%s%s", j ? "," : "", n->outputs[j]);
    return buf;
}

static const char *list_str(char **list, size_t n)
{
    static char buf[512];
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? "," : "", list[i]);
    return buf;
}

/* Names of the values that carry a list part, in file order:
 * which 0 = value_info, 1 = initializers, 2 = annotations. */
static const char *values_str(const finn_model *m, int which)
{
    static char buf[1024];
    const finn_value *sel[64];
    size_t n = 0;
    for (size_t i = 0; i < m->n_values && n < 64; i++) {
        const finn_value *v = m->values[i];
        if (which == 0 ? v->in_value_info : which == 1 ? v->init != NULL : v->n_annot > 0)
            sel[n++] = v;
    }
    for (size_t i = 1; i < n; i++)
        for (size_t j = i; j > 0; j--) {
            uint64_t a = which == 0 ? sel[j - 1]->vi_order : which == 1 ? sel[j - 1]->init_order
                                                                        : sel[j - 1]->annot_order;
            uint64_t b = which == 0 ? sel[j]->vi_order : which == 1 ? sel[j]->init_order
                                                                    : sel[j]->annot_order;
            if (a <= b)
                break;
            const finn_value *t = sel[j];
            sel[j] = sel[j - 1];
            sel[j - 1] = t;
        }
    size_t k = 0;
    buf[0] = 0;
    for (size_t i = 0; i < n; i++)
        k += (size_t)snprintf(buf + k, sizeof buf - k, "%s%s", i ? "," : "", sel[i]->name);
    return buf;
}

static const char *dt_str(const finn_model *m, const char *name)
{
    const char *s = finn_model_annotation(m, name, "finn_datatype");
    return s ? s : "(none)";
}

/* deterministic pseudo-random floats with few mantissa bits */
static uint32_t rng_state = 12345;
static float rnd(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (float)((int)((rng_state >> 16) % 2001) - 1000) / 64.0f;
}

static float rnd_u8(void)
{
    rng_state = rng_state * 1103515245u + 12345u;
    return (float)((rng_state >> 16) & 255);
}

/* Run m on a random input for each graph input (shape from the model) and
 * return the context (seeded so two runs see the same inputs). */
static finn_exec_ctx *run_random(const finn_registry *reg, const finn_model *m, uint32_t seed)
{
    finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
    rng_state = seed;
    for (size_t i = 0; i < m->n_inputs; i++) {
        const finn_value *v = finn_model_value(m, m->inputs[i]);
        finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, v->ndim, v->shape, &err);
        /* an input annotated UINT8 gets integers 0..255 */
        bool u8 = !strcmp(dt_str(m, m->inputs[i]), "UINT8");
        for (size_t j = 0; j < finn_tensor_numel(t); j++)
            ((float *)t->data)[j] = u8 ? rnd_u8() : rnd();
        finn_exec_ctx_set(ctx, m->inputs[i], t, &err);
    }
    int rc = finn_execute(reg, m, ctx, &err);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        fprintf(stderr, "execute: %s\n", err.msg);
    return ctx;
}

static void check_same_tensor(const finn_tensor *a, const finn_tensor *b)
{
    CHECK(a != NULL && b != NULL);
    if (!a || !b)
        return;
    CHECK_EQ_INT(a->type, b->type);
    CHECK(finn_shape_equal(a->ndim, a->shape, b->ndim, b->shape));
    CHECK_EQ_INT(finn_tensor_nbytes(a), finn_tensor_nbytes(b));
    if (finn_tensor_nbytes(a) == finn_tensor_nbytes(b))
        CHECK(memcmp(a->data, b->data, finn_tensor_nbytes(a)) == 0);
}

static const int64_t S14[2] = {1, 4};

/* ---- RemoveUnusedTensors / RemoveStaticGraphInputs ------------------------------ */

static void test_remove_unused(void)
{
    finn_model *m = new_model(13);
    add_input(m, "x", 2, S14);
    add_input(m, "x2", 2, S14); /* a graph input no node reads */
    add_output(m, "y", 2, S14);
    const float c[4] = {1, 2, 3, 4};
    add_init(m, "c", 2, S14, c);
    add_init(m, "unused_w", 2, S14, c);
    CHECK_EQ_INT(finn_model_set_shape(m, "dangling", FINN_ELEM_FLOAT, 2, S14, &err), 0);
    CHECK_EQ_INT(finn_model_set_datatype(m, "dangling", finn_dt_int(4), &err), 0);
    CHECK_EQ_INT(finn_model_set_datatype(m, "x", finn_dt_uint(8), &err), 0);
    CHECK_EQ_INT(finn_model_set_datatype(m, "x2", finn_dt_uint(8), &err), 0);
    add_node(m, "Add", "", "Add_0", "x,c", "y");

    CHECK_EQ_INT(finn_remove_unused_tensors(m, &err), 0);
    CHECK(finn_model_value(m, "unused_w") == NULL);
    CHECK(finn_model_value(m, "dangling") == NULL);
    CHECK(finn_model_initializer(m, "c") != NULL);
    CHECK_STR(dt_str(m, "x"), "UINT8");
    /* x2 stays a graph input (with its shape) but loses its annotation */
    CHECK_STR(list_str(m->inputs, m->n_inputs), "x,x2");
    CHECK(finn_model_value(m, "x2") != NULL && finn_model_value(m, "x2")->ndim == 2);
    CHECK_STR(dt_str(m, "x2"), "(none)");
    CHECK_STR(values_str(m, 1), "c");
    CHECK_STR(values_str(m, 2), "x");
    finn_model_free(m);
}

static void test_remove_static_inputs(void)
{
    finn_model *m = new_model(13);
    add_input(m, "w", 2, S14);
    add_input(m, "x", 2, S14);
    add_input(m, "b", 2, S14);
    add_output(m, "y", 2, S14);
    const float c[4] = {1, 2, 3, 4};
    CHECK_EQ_INT(finn_model_set_shape(m, "t", FINN_ELEM_FLOAT, 2, S14, &err), 0);
    add_init(m, "w", 2, S14, c);
    add_init(m, "b", 2, S14, c);
    add_node(m, "Mul", "", "Mul_0", "x,w", "t");
    add_node(m, "Add", "", "Add_0", "t,b", "y");
    CHECK_STR(values_str(m, 0), "t");

    CHECK_EQ_INT(finn_remove_static_graph_inputs(m, &err), 0);
    CHECK_STR(list_str(m->inputs, m->n_inputs), "x");
    /* their ValueInfos were appended to value_info in input order */
    CHECK_STR(values_str(m, 0), "t,w,b");
    CHECK_STR(values_str(m, 1), "w,b");
    finn_model_free(m);
}

/* ---- SortCommutativeInputsInitializerLast ------------------------------------- */

static void test_sort_commutative(void)
{
    finn_model *m = new_model(13);
    add_input(m, "x", 2, S14);
    add_input(m, "z", 2, S14);
    add_output(m, "y", -1, NULL);
    add_scalar(m, "c1", 1);
    add_scalar(m, "c2", 2);
    add_node(m, "Add", "", "A", "c1,x", "a");
    add_node(m, "Sub", "", "S", "c1,a", "s");
    add_node(m, "Sum", "", "U", "c2,s,c1,z", "u");
    add_node(m, "Mul", "", "M", "u,c2", "y");
    add_node(m, "Xor", "", "X", "c1,c2", "q");

    CHECK_EQ_INT(finn_sort_commutative_inputs(m, &err), 0);
    CHECK_STR(node_str(m, 0), "A:Add(x,c1)->a");
    CHECK_STR(node_str(m, 1), "S:Sub(c1,a)->s"); /* not commutative */
    CHECK_STR(node_str(m, 2), "U:Sum(s,z,c2,c1)->u"); /* stable in each group */
    CHECK_STR(node_str(m, 3), "M:Mul(u,c2)->y");
    CHECK_STR(node_str(m, 4), "X:Xor(c1,c2)->q");
    finn_model_free(m);
}

/* ---- GiveUniqueParameterTensors ---------------------------------------------- */

static void test_unique_parameters(void)
{
    finn_model *m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    const float w[4] = {0.5f, -1, 2, 3};
    add_init(m, "w", 2, S14, w);
    add_scalar(m, "s", 3);
    CHECK_EQ_INT(finn_model_set_datatype(m, "w", finn_dt_int(4), &err), 0);
    add_node(m, "Mul", "", "Mul_0", "x,w", "t0");
    add_node(m, "Mul", "", "Mul_1", "t0,w", "t1");
    add_node(m, "Mul", "", "Mul_2", "s,s", "t2");
    add_node(m, "Add", "", "Add_0", "t1,t2", "y");

    CHECK_EQ_INT(finn_give_unique_parameter_tensors(m, &err), 0);
    CHECK_STR(node_str(m, 0), "Mul_0:Mul(x,w)->t0");
    CHECK_STR(node_str(m, 1), "Mul_1:Mul(t0,w_0)->t1");
    CHECK_STR(node_str(m, 2), "Mul_2:Mul(s,s_0)->t2");
    check_same_tensor(finn_model_initializer(m, "w_0"), finn_model_initializer(m, "w"));
    check_same_tensor(finn_model_initializer(m, "s_0"), finn_model_initializer(m, "s"));
    /* the datatype comes along; an unannotated one is written as FLOAT32 */
    CHECK_STR(dt_str(m, "w_0"), "INT4");
    CHECK_STR(dt_str(m, "s_0"), "FLOAT32");
    CHECK_STR(dt_str(m, "s"), "(none)");
    CHECK_STR(values_str(m, 0), "w_0,s_0");
    CHECK_STR(values_str(m, 1), "w,s,w_0,s_0");
    /* a second run finds nothing shared */
    CHECK_EQ_INT(finn_give_unique_parameter_tensors(m, &err), 0);
    CHECK_EQ_INT(m->n_values, 6); /* x, y, w, s, w_0, s_0 */
    finn_model_free(m);
}

/* ---- model cleanup ------------------------------------------------------------- */

static void test_model_cleanup(void)
{
    finn_model *m = new_model(13);
    add_input(m, "x", 2, S14);
    add_input(m, "c", 0, NULL);
    add_output(m, "y", 2, S14);
    add_scalar(m, "c", 2);
    add_scalar(m, "junk", 7);
    /* out of order, constant first, shared constant */
    add_node(m, "Mul", "", "B", "c,t", "y");
    add_node(m, "Add", "", "A", "x,c", "t");

    CHECK_EQ_INT(finn_model_cleanup(m, &err), 0);
    CHECK_STR(list_str(m->inputs, m->n_inputs), "x");
    CHECK_STR(node_str(m, 0), "A:Add(x,c)->t");
    CHECK_STR(node_str(m, 1), "B:Mul(t,c_0)->y");
    CHECK(finn_model_value(m, "junk") == NULL);
    CHECK_STR(values_str(m, 1), "c,c_0");

    /* a cycle is an error naming a node */
    finn_model *cyc = new_model(13);
    add_input(cyc, "x", 2, S14);
    add_output(cyc, "y", 2, S14);
    add_node(cyc, "Add", "", "P", "x,q", "p");
    add_node(cyc, "Add", "", "Q", "p,x", "q");
    add_node(cyc, "Identity", "", "R", "q", "y");
    CHECK_EQ_INT(finn_model_cleanup(cyc, &err), -1);
    CHECK_CONTAINS(err.msg, "cycle");
    finn_model_free(cyc);
    finn_model_free(m);
}

/* ---- GiveReadableTensorNames ----------------------------------------------------- */

static void test_readable_names(void)
{
    finn_model *m = new_model(13);
    add_input(m, "inp", 2, S14);
    add_input(m, "inp2", 2, S14);
    add_output(m, "res", 2, S14);
    add_output(m, "mid_a", 2, S14);
    const float w[4] = {1, 2, 3, 4};
    add_init(m, "W", 2, S14, w);
    add_scalar(m, "S1", 2);
    add_scalar(m, "S2", 3);
    CHECK_EQ_INT(finn_model_set_datatype(m, "W", finn_dt_int(4), &err), 0);
    CHECK_EQ_INT(finn_model_set_datatype(m, "inp", finn_dt_uint(8), &err), 0);
    CHECK_EQ_INT(finn_model_set_shape(m, "mid_b", FINN_ELEM_FLOAT, 2, S14, &err), 0);
    add_node(m, "Mul", "", "Mul_0", "inp,W", "mid_a");
    add_node(m, "Add", "", "Add_0", "mid_a,inp2", "mid_b");
    /* W is shared: the cleanup inside the rename gives Sum_0 its own copy */
    add_node(m, "Sum", "", "Sum_0", "S1,mid_b,W,S2", "res");

    CHECK_EQ_INT(finn_give_readable_tensor_names(m, &err), 0);
    CHECK_EQ_INT(m->n_nodes, 3);
    CHECK_STR(node_str(m, 0), "Mul_0:Mul(global_in,Mul_0_param0)->global_out_1");
    CHECK_STR(node_str(m, 1), "Add_0:Add(global_out_1,global_in_1)->Add_0_out0");
    /* initializers last (commutative sort), numbered in input order */
    CHECK_STR(node_str(m, 2), "Sum_0:Sum(Add_0_out0,Sum_0_param0,Sum_0_param1,Sum_0_param2)->global_out");
    CHECK_STR(list_str(m->inputs, m->n_inputs), "global_in,global_in_1");
    CHECK_STR(list_str(m->outputs, m->n_outputs), "global_out,global_out_1");
    CHECK_STR(dt_str(m, "Mul_0_param0"), "INT4");
    CHECK_STR(dt_str(m, "global_in"), "UINT8");
    CHECK_STR(dt_str(m, "Sum_0_param1"), "INT4"); /* the copy of W */
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, "Sum_0_param0"), 0), 2);
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, "Sum_0_param1"), 3), 4);
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, "Sum_0_param2"), 0), 3);
    const finn_value *v = finn_model_value(m, "Add_0_out0");
    CHECK(v && v->ndim == 2 && v->shape[1] == 4 && v->in_value_info);
    /* nothing keeps an old name */
    const char *old[] = {"inp", "inp2", "res", "mid_a", "mid_b", "W", "S1", "S2"};
    for (size_t i = 0; i < sizeof old / sizeof old[0]; i++)
        CHECK(finn_model_value(m, old[i]) == NULL);
    CHECK_STR(values_str(m, 0), "Add_0_out0,Sum_0_param1");
    CHECK_STR(values_str(m, 1), "Mul_0_param0,Sum_0_param0,Sum_0_param2,Sum_0_param1");

    /* running it again changes nothing */
    CHECK_EQ_INT(finn_give_readable_tensor_names(m, &err), 0);
    CHECK_STR(node_str(m, 2), "Sum_0:Sum(Add_0_out0,Sum_0_param0,Sum_0_param1,Sum_0_param2)->global_out");
    CHECK_STR(node_str(m, 0), "Mul_0:Mul(global_in,Mul_0_param0)->global_out_1");

    /* node names must be unique and non-empty */
    free(m->nodes[1]->name);
    m->nodes[1]->name = strdup("Mul_0");
    CHECK_EQ_INT(finn_give_readable_tensor_names(m, &err), -1);
    CHECK_CONTAINS(err.msg, "two nodes are named 'Mul_0'");
    m->nodes[1]->name[0] = 0;
    CHECK_EQ_INT(finn_give_readable_tensor_names(m, &err), -1);
    CHECK_CONTAINS(err.msg, "empty name");
    finn_model_free(m);
}

/* A tensor already called like a temporary or readable name must not clash. */
static void test_readable_names_collisions(void)
{
    finn_model *m = new_model(13);
    add_input(m, "tensor_1", 2, S14);
    add_output(m, "Mul_0_out0", 2, S14);
    const float w[4] = {1, 2, 3, 4};
    add_init(m, "Add_0_param0", 2, S14, w); /* no value_info */
    add_init(m, "tensor_0", 2, S14, w);
    CHECK_EQ_INT(finn_model_set_shape(m, "Add_0_out0", FINN_ELEM_FLOAT, 2, S14, &err), 0);
    add_node(m, "Add", "", "Mul_0", "tensor_1,tensor_0", "Add_0_out0");
    add_node(m, "Mul", "", "Add_0", "Add_0_out0,Add_0_param0", "Mul_0_out0");
    CHECK_EQ_INT(finn_give_readable_tensor_names(m, &err), 0);
    CHECK_STR(node_str(m, 0), "Mul_0:Add(global_in,Mul_0_param0)->Mul_0_out0");
    CHECK_STR(node_str(m, 1), "Add_0:Mul(Mul_0_out0,Add_0_param0)->global_out");
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, "Add_0_param0"), 2), 3);
    finn_model_free(m);
}

/* ---- FoldConstants ------------------------------------------------------------ */

static void test_fold_constants(void)
{
    finn_registry *reg = test_registry();
    int64_t s23[2] = {2, 3}, s2[1] = {2};
    finn_model *m = new_model(13);
    add_input(m, "x", 2, s23);
    add_output(m, "y", 2, s23);
    add_output(m, "shp", 1, s2);
    float c1[6], c2[6], c3[6];
    rng_state = 7;
    for (int i = 0; i < 6; i++) {
        c1[i] = rnd();
        c2[i] = rnd();
        c3[i] = rnd();
    }
    add_init(m, "c1", 2, s23, c1);
    add_init(m, "c2", 2, s23, c2);
    add_init(m, "c3", 2, s23, c3);
    add_scalar(m, "q", 0.25f);
    finn_tensor *one = finn_tensor_new(FINN_ELEM_INT64, 1, s2, &err);
    ((int64_t *)one->data)[0] = 10;
    ((int64_t *)one->data)[1] = 20;
    CHECK_EQ_INT(finn_model_set_initializer(m, "ten", one, &err), 0);
    add_node(m, "Mul", "", "M0", "x,k2", "m0");
    add_node(m, "Add", "", "A0", "c1,c2", "k");
    add_node(m, "Mul", "", "M1", "k,c3", "k2");
    add_node(m, "Quant", "qonnx.custom_op.general", "Q0", "q", "qq"); /* never folded */
    add_node(m, "Mul", "", "M2", "m0,qq", "y");
    add_node(m, "Shape", "", "S0", "x", "s");
    add_node(m, "Add", "", "A1", "s,ten", "shp");
    /* SortGraph levels: {A0, Q0, S0}, {M1, A1}, {M0}, {M2} */
    CHECK_EQ_INT(finn_model_cleanup(m, &err), 0);
    CHECK_STR(node_str(m, 0), "A0:Add(c1,c2)->k");
    CHECK_STR(node_str(m, 3), "M1:Mul(k,c3)->k2");
    CHECK_STR(node_str(m, 5), "M0:Mul(x,k2)->m0");
    CHECK_EQ_INT(finn_infer_shapes(reg, m, &err), 0);

    finn_model *before = finn_model_clone(m, &err);
    bool changed = false;
    int rc = finn_fold_constants(reg, m, &changed, &err);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        fprintf(stderr, "fold: %s\n", err.msg);
    CHECK(changed);
    CHECK_EQ_INT(m->n_nodes, 3);
    CHECK_STR(node_str(m, 0), "Q0:Quant(q)->qq");
    CHECK_STR(node_str(m, 1), "M0:Mul(x,k2)->m0");
    CHECK_STR(node_str(m, 2), "M2:Mul(m0,qq)->y");
    /* the folded values, computed by hand in float32 */
    const finn_tensor *k2 = finn_model_initializer(m, "k2");
    CHECK(k2 != NULL && k2->type == FINN_ELEM_FLOAT && k2->ndim == 2);
    for (int i = 0; k2 && i < 6; i++)
        CHECK_EQ_DBL(((float *)k2->data)[i], (float)((c1[i] + c2[i]) * c3[i]));
    const finn_tensor *shp = finn_model_initializer(m, "shp");
    CHECK(shp != NULL && shp->type == FINN_ELEM_INT64);
    if (shp) {
        CHECK_EQ_INT(((int64_t *)shp->data)[0], 12); /* 2 + 10 */
        CHECK_EQ_INT(((int64_t *)shp->data)[1], 23); /* 3 + 20 */
    }
    /* the consumed constants were cleaned up */
    CHECK(finn_model_value(m, "c1") == NULL && finn_model_value(m, "k") == NULL);
    CHECK(finn_model_value(m, "s") == NULL && finn_model_value(m, "ten") == NULL);
    CHECK_STR(values_str(m, 1), "q,k2,shp");

    /* same outputs before and after, bit for bit */
    for (uint32_t seed = 1; seed <= 3; seed++) {
        finn_exec_ctx *a = run_random(reg, before, seed), *b = run_random(reg, m, seed);
        check_same_tensor(finn_exec_ctx_get(a, "y"), finn_exec_ctx_get(b, "y"));
        check_same_tensor(finn_exec_ctx_get(a, "shp"), finn_exec_ctx_get(b, "shp"));
        finn_exec_ctx_free(a);
        finn_exec_ctx_free(b);
    }
    /* a second run has nothing to fold */
    CHECK_EQ_INT(finn_fold_constants(reg, m, &changed, &err), 0);
    CHECK(!changed);

    /* an op nobody executes is an error naming the node */
    finn_model *bad = new_model(13);
    add_output(bad, "z", -1, NULL);
    add_scalar(bad, "c", 1);
    add_node(bad, "Cos", "", "Cos_0", "c", "z");
    CHECK_EQ_INT(finn_fold_constants(reg, bad, &changed, &err), -1);
    CHECK_CONTAINS(err.msg, "Cos_0");
    finn_model_free(bad);
    finn_model_free(before);
    finn_model_free(m);
    finn_registry_free(reg);
}

/* ---- RemoveIdentityOps ----------------------------------------------------------- */

static void test_identity_producer_not_fork(void)
{
    finn_model *m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    add_scalar(m, "w", 3);
    CHECK_EQ_INT(finn_model_set_shape(m, "t", FINN_ELEM_FLOAT, 2, S14, &err), 0);
    CHECK_EQ_INT(finn_model_set_datatype(m, "y", finn_dt_int(8), &err), 0);
    add_node(m, "Mul", "", "M", "x,w", "t");
    add_node(m, "Identity", "", "I", "t", "y");
    bool changed = false;
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK(changed);
    CHECK_EQ_INT(m->n_nodes, 1);
    CHECK_STR(node_str(m, 0), "M:Mul(x,w)->y"); /* the producer writes y */
    CHECK(finn_model_value(m, "t") == NULL);
    CHECK_STR(dt_str(m, "y"), "INT8");
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK(!changed);
    finn_model_free(m);
}

static void test_identity_producer_fork(void)
{
    finn_model *m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    add_output(m, "z", 2, S14);
    add_scalar(m, "w", 3);
    add_scalar(m, "c", 1);
    add_scalar(m, "w2", 5);
    add_node(m, "Mul", "", "M", "x,w", "t");
    add_node(m, "Identity", "", "I", "t", "u");
    add_node(m, "Add", "", "A", "u,c", "y");
    add_node(m, "Mul", "", "M2", "t,w2", "z");
    bool changed = false;
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK(changed);
    CHECK_EQ_INT(m->n_nodes, 3);
    CHECK_STR(node_str(m, 0), "M:Mul(x,w)->t");
    CHECK_STR(node_str(m, 1), "A:Add(t,c)->y"); /* the consumer reads t */
    CHECK_STR(node_str(m, 2), "M2:Mul(t,w2)->z");
    finn_model_free(m);

    /* producer output that is also a graph output counts as a fork */
    m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "t", 2, S14);
    add_output(m, "y", 2, S14);
    add_scalar(m, "w", 3);
    add_scalar(m, "c", 1);
    add_node(m, "Mul", "", "M", "x,w", "t");
    add_node(m, "Identity", "", "I", "t", "u");
    add_node(m, "Add", "", "A", "u,c", "y");
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK_STR(node_str(m, 0), "M:Mul(x,w)->t");
    CHECK_STR(node_str(m, 1), "A:Add(t,c)->y");
    CHECK_EQ_INT(m->n_nodes, 2);
    finn_model_free(m);
}

static void test_identity_graph_io(void)
{
    bool changed = true;
    /* graph input -> Identity -> consumer: the consumer reads the input */
    finn_model *m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    add_scalar(m, "c", 1);
    add_node(m, "Identity", "", "I", "x", "u");
    add_node(m, "Add", "", "A", "u,c", "y");
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK(changed);
    CHECK_EQ_INT(m->n_nodes, 1);
    CHECK_STR(node_str(m, 0), "A:Add(x,c)->y");
    finn_model_free(m);

    /* graph input -> Identity -> graph output: kept, or the output is lost */
    m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    add_node(m, "Identity", "", "I", "x", "y");
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK(!changed);
    CHECK_STR(node_str(m, 0), "I:Identity(x)->y");
    finn_model_free(m);

    /* forking producer, Identity onto a graph output: kept as well */
    m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    add_output(m, "z", 2, S14);
    add_scalar(m, "w", 3);
    add_scalar(m, "w2", 5);
    add_node(m, "Mul", "", "M", "x,w", "t");
    add_node(m, "Identity", "", "I", "t", "y");
    add_node(m, "Mul", "", "M2", "t,w2", "z");
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK(!changed);
    CHECK_EQ_INT(m->n_nodes, 3);
    finn_model_free(m);
}

static void test_identity_special(void)
{
    bool changed = false;
    /* the producer's matching output is rewired (QONNX rewires output 0) */
    finn_model *m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    add_node(m, "TopK", "", "K", "x", "vals,idx");
    add_node(m, "Identity", "", "I", "idx", "y");
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK(changed);
    CHECK_STR(node_str(m, 0), "K:TopK(x)->vals,y");
    CHECK_EQ_INT(m->n_nodes, 1);
    finn_model_free(m);

    /* a join node (two producers) stays: QONNX only warns about it */
    m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    add_scalar(m, "w", 2);
    add_node(m, "Mul", "", "M", "x,w", "t");
    add_node(m, "Mul", "", "V", "x,w", "v");
    finn_node *pad = add_node(m, "Pad", "", "P", "t,,v", "y");
    int64_t pads[4] = {0, 0, 0, 0};
    finn_node_set_attr_ints(pad, "pads", pads, 4, &err);
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK(!changed);
    CHECK_EQ_INT(m->n_nodes, 3);
    finn_model_free(m);
}

static void test_identity_kinds(void)
{
    finn_model *m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    const float z[4] = {0, 1e-6f, -1e-5f, 0};         /* |v| <= 1e-5: zero */
    const float o[4] = {1, 1.000015f, 0.99999f, 1};   /* |v-1| <= 2e-5: one */
    const float o_far[4] = {1, 1, 1.0001f, 1};
    const float z_far[4] = {0, 0, 2e-5f, 0};
    add_init(m, "z", 2, S14, z);
    add_init(m, "o", 2, S14, o);
    add_init(m, "o_far", 2, S14, o_far);
    add_init(m, "z_far", 2, S14, z_far);
    add_scalar(m, "zero", 0);
    add_scalar(m, "one", 1);
    add_node(m, "Add", "", "A", "x,z", "a");
    add_node(m, "Mul", "", "M", "a,o", "b");
    add_node(m, "Mul", "", "Mk", "b,o_far", "c"); /* kept */
    add_node(m, "Sub", "", "S", "c,zero", "d");
    add_node(m, "Div", "", "D", "d,one", "e");
    add_node(m, "Sub", "", "Sk", "e,z_far", "f"); /* kept */
    finn_node *pad = add_node(m, "Pad", "", "P", "f", "g");
    int64_t pads[4] = {0, 0, 0, 0};
    finn_node_set_attr_ints(pad, "pads", pads, 4, &err);
    add_node(m, "Dropout", "", "Dr", "g", "h");
    finn_node *padk = add_node(m, "Pad", "", "Pk", "h", "y"); /* kept: pads 1 */
    pads[3] = 1;
    finn_node_set_attr_ints(padk, "pads", pads, 4, &err);
    bool changed = false;
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK(changed);
    CHECK_EQ_INT(m->n_nodes, 3);
    CHECK_STR(node_str(m, 0), "Mk:Mul(x,o_far)->e");
    CHECK_STR(node_str(m, 1), "Sk:Sub(e,z_far)->h");
    CHECK_STR(node_str(m, 2), "Pk:Pad(h)->y");
    CHECK_STR(values_str(m, 1), "o_far,z_far");
    finn_model_free(m);

    /* Dropout before opset 12 needs ratio == 0; from 12 a zero ratio input */
    m = new_model(11);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    add_scalar(m, "w", 2);
    add_node(m, "Mul", "", "M", "x,w", "a");
    finn_node *d1 = add_node(m, "Dropout", "", "D1", "a", "b");
    finn_node_set_attr_f(d1, "ratio", 0.0f, &err);
    finn_node *d2 = add_node(m, "Dropout", "", "D2", "b", "y");
    finn_node_set_attr_f(d2, "ratio", 0.5f, &err);
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK_STR(node_str(m, 0), "M:Mul(x,w)->b");
    CHECK_STR(node_str(m, 1), "D2:Dropout(b)->y");
    finn_model_free(m);

    m = new_model(13);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    add_scalar(m, "w", 2);
    add_scalar(m, "r0", 0);
    add_scalar(m, "r1", 0.25f);
    add_node(m, "Mul", "", "M", "x,w", "a");
    add_node(m, "Dropout", "", "D1", "a,r0", "b");
    add_node(m, "Dropout", "", "D2", "b,r1", "y");
    CHECK_EQ_INT(finn_remove_identity_ops(m, &changed, &err), 0);
    CHECK_STR(node_str(m, 0), "M:Mul(x,w)->b");
    CHECK_STR(node_str(m, 1), "D2:Dropout(b,r1)->y");
    CHECK_EQ_INT(m->n_nodes, 2);
    finn_model_free(m);
}

/* ---- InferDataLayouts ------------------------------------------------------------ */

static const char *layout_ann(const finn_model *m, const char *name)
{
    const char *s = finn_model_annotation(m, name, "tensor_layout");
    return s ? s : "(none)";
}

static void set_shape(finn_model *m, const char *name, int ndim, const int64_t *shape)
{
    CHECK_EQ_INT(finn_model_set_shape(m, name, FINN_ELEM_FLOAT, ndim, shape, &err), 0);
}

static void test_layouts_4d(void)
{
    finn_registry *reg = test_registry();
    int64_t nchw[4] = {1, 3, 8, 8}, nhwc[4] = {1, 8, 8, 3}, flat[2] = {1, 192};
    int64_t flat3[3] = {1, 192, 1}, sc[1] = {1};
    finn_model *m = new_model(13);
    add_input(m, "x", 4, nchw);
    add_input(m, "x2", 4, nchw);
    add_output(m, "y", 2, flat);
    add_output(m, "y2", 4, nhwc);
    add_init(m, "perm_shape", 1, sc, (const float[]){1});
    set_shape(m, "t", 4, nhwc);
    set_shape(m, "u", 4, nhwc);
    set_shape(m, "r", 2, flat);
    set_shape(m, "us", 3, flat3);
    set_shape(m, "mt", 4, nhwc);
    set_shape(m, "mt2", 4, nhwc);
    set_shape(m, "cu", 4, nhwc);
    set_shape(m, "cu3", 3, flat3);
    int64_t perm[4] = {0, 2, 3, 1};
    finn_node *tr = add_node(m, "Transpose", "", "T", "x", "t");
    finn_node_set_attr_ints(tr, "perm", perm, 4, &err);
    add_node(m, "Mul", "", "M", "t,perm_shape", "u");
    finn_node *mt = add_node(m, "MultiThreshold", "qonnx.custom_op.general", "MT", "u,perm_shape",
                             "mt");
    finn_node_set_attr_s(mt, "data_layout", "NHWC", &err);
    add_node(m, "MultiThreshold", "qonnx.custom_op.general", "MT2", "mt", "mt2"); /* NCHW */
    add_node(m, "Im2Col", "qonnx.custom_op.general", "C4", "mt2", "cu");  /* ranks match */
    add_node(m, "Im2Col", "qonnx.custom_op.general", "C3", "cu", "cu3");  /* they do not */
    add_node(m, "Reshape", "", "R", "u,perm_shape", "r");
    add_node(m, "Unsqueeze", "", "U", "r", "us");
    add_node(m, "Squeeze", "", "S", "us", "y");
    finn_node *tr2 = add_node(m, "Transpose", "", "T2", "x2", "y2"); /* x2: no layout */
    finn_node_set_attr_ints(tr2, "perm", perm, 4, &err);

    CHECK_EQ_INT(finn_infer_data_layouts(reg, m, &err), 0);
    CHECK_STR(layout_ann(m, "x"), "['N', 'C', 'H', 'W']");
    CHECK_STR(layout_ann(m, "t"), "['N', 'H', 'W', 'C']");
    CHECK_STR(layout_ann(m, "u"), "['N', 'H', 'W', 'C']");
    CHECK_STR(layout_ann(m, "mt"), "['N', 'H', 'W', 'C']");
    CHECK_STR(layout_ann(m, "mt2"), "['N', 'C', 'H', 'W']");
    CHECK_STR(layout_ann(m, "cu"), "['N', 'C', 'H', 'W']");
    CHECK_STR(layout_ann(m, "cu3"), "['N', 'W', 'C']");
    CHECK_STR(layout_ann(m, "r"), "['N', 'C']");
    CHECK_STR(layout_ann(m, "us"), "['N', 'C', 'x']");
    CHECK_STR(layout_ann(m, "y"), "['N', 'C']");
    CHECK_STR(layout_ann(m, "x2"), "(none)");
    CHECK_STR(layout_ann(m, "y2"), "[]"); /* UNKNOWN: the input has none */
    char buf[16];
    CHECK_STR(finn_model_layout(m, "t", buf, sizeof buf), "NHWC");
    finn_model_free(m);
    finn_registry_free(reg);
}

static void test_layouts_3d_2d(void)
{
    finn_registry *reg = test_registry();
    int64_t nwc[3] = {1, 10, 4}, ncw[3] = {1, 4, 10}, nc[2] = {1, 4}, cn[2] = {4, 1};
    finn_model *m = new_model(13);
    add_input(m, "x", 3, nwc);
    add_output(m, "y", 3, ncw);
    int64_t perm[3] = {0, 2, 1};
    finn_node *tr = add_node(m, "Transpose", "", "T", "x", "t");
    finn_node_set_attr_ints(tr, "perm", perm, 3, &err);
    set_shape(m, "t", 3, ncw);
    add_node(m, "Identity", "", "I", "t", "y");
    CHECK_EQ_INT(finn_infer_data_layouts(reg, m, &err), 0);
    CHECK_STR(layout_ann(m, "x"), "['N', 'W', 'C']");
    CHECK_STR(layout_ann(m, "t"), "['N', 'C', 'W']");
    CHECK_STR(layout_ann(m, "y"), "['N', 'C', 'W']");
    finn_model_free(m);

    m = new_model(13);
    add_input(m, "x", 2, nc);
    add_output(m, "y", 2, cn);
    int64_t perm2[2] = {1, 0};
    tr = add_node(m, "Transpose", "", "T", "x", "y");
    finn_node_set_attr_ints(tr, "perm", perm2, 2, &err);
    add_node(m, "Squeeze", "", "S", "y", "sq"); /* no trailing x: UNKNOWN */
    set_shape(m, "sq", 1, cn);
    add_node(m, "Identity", "", "I", "sq", "idn");
    set_shape(m, "idn", 1, cn);
    add_node(m, "Identity", "", "J", "y", "nos"); /* shape unknown: UNKNOWN */
    add_node(m, "Transpose", "", "T0", "x", "noperm"); /* no perm attribute: UNKNOWN */
    CHECK_EQ_INT(finn_infer_data_layouts(reg, m, &err), 0);
    CHECK_STR(layout_ann(m, "x"), "['N', 'C']");
    CHECK_STR(layout_ann(m, "y"), "['C', 'N']");
    CHECK_STR(layout_ann(m, "sq"), "[]");
    CHECK_STR(layout_ann(m, "idn"), "[]"); /* rank 1, input layout empty */
    CHECK_STR(layout_ann(m, "nos"), "[]");
    CHECK_STR(layout_ann(m, "noperm"), "[]");
    finn_model_free(m);

    /* an existing input layout is kept; rank 1 without one is an error */
    m = new_model(13);
    add_input(m, "x", 2, nc);
    add_output(m, "y", 2, nc);
    CHECK_EQ_INT(finn_model_set_layout(m, "x", "CN", &err), 0);
    add_node(m, "Identity", "", "I", "x", "y");
    CHECK_EQ_INT(finn_infer_data_layouts(reg, m, &err), 0);
    CHECK_STR(layout_ann(m, "x"), "['C', 'N']");
    CHECK_STR(layout_ann(m, "y"), "['N', 'C']"); /* 2-D outputs are always NC */
    finn_model_free(m);

    m = new_model(13);
    int64_t one[1] = {4};
    add_input(m, "x", 1, one);
    add_output(m, "y", 1, one);
    add_node(m, "Identity", "", "I", "x", "y");
    CHECK_EQ_INT(finn_infer_data_layouts(reg, m, &err), -1);
    CHECK_CONTAINS(err.msg, "'x' has rank 1");
    finn_model_free(m);
    finn_registry_free(reg);
}

/* ---- MergeONNXModels -------------------------------------------------------------- */

static finn_model *pre_model(const int64_t *shape)
{
    finn_model *pre = new_model(13);
    add_input(pre, "inp", 2, shape);
    add_output(pre, "out", 2, shape);
    add_scalar(pre, "k255", 255);
    CHECK_EQ_INT(finn_model_set_datatype(pre, "inp", finn_dt_uint(8), &err), 0);
    add_node(pre, "Div", "", "div", "inp,k255", "out");
    return pre;
}

static void test_merge(void)
{
    finn_registry *reg = test_registry();
    finn_model *m = new_model(11);
    CHECK_EQ_INT(finn_model_set_opset(m, "qonnx.custom_op.general", 1, &err), 0);
    CHECK_EQ_INT(finn_model_set_meta(m, "k", "v", &err), 0);
    add_input(m, "x", 2, S14);
    add_output(m, "y", 2, S14);
    const float w[4] = {0.5f, -2, 3, 0.25f}, b[4] = {1, 2, -3, 4};
    add_init(m, "w", 2, S14, w);
    add_init(m, "b", 2, S14, b);
    set_shape(m, "t", 2, S14);
    add_node(m, "Mul", "", "Mul_0", "x,w", "t");
    add_node(m, "Add", "", "Add_0", "t,b", "y");
    finn_model *main_copy = finn_model_clone(m, &err);
    finn_model *pre = pre_model(S14);
    finn_model *pre_copy = finn_model_clone(pre, &err);

    int rc = finn_merge_models_in_front(reg, m, pre, &err);
    CHECK_EQ_INT(rc, 0);
    if (rc)
        fprintf(stderr, "merge: %s\n", err.msg);
    CHECK_STR(m->graph_name, "fuse-graph");
    CHECK_STR(m->producer_name, "fuse_model");
    CHECK_EQ_INT(m->n_opsets, 1);
    CHECK_EQ_INT(finn_model_opset(m, ""), 13);
    CHECK_EQ_INT(m->n_meta, 0);
    CHECK_EQ_INT(m->n_nodes, 3);
    CHECK_STR(node_str(m, 0), "Div_0:Div(global_in,Div_0_param0)->Div_0_out0");
    CHECK_STR(node_str(m, 1), "Mul_0:Mul(Div_0_out0,Mul_0_param0)->Mul_0_out0");
    CHECK_STR(node_str(m, 2), "Add_0:Add(Mul_0_out0,Add_0_param0)->global_out");
    CHECK_STR(list_str(m->inputs, m->n_inputs), "global_in");
    CHECK_STR(list_str(m->outputs, m->n_outputs), "global_out");
    CHECK_STR(dt_str(m, "global_in"), "UINT8");
    CHECK_STR(dt_str(m, "Div_0_out0"), "FLOAT32");
    CHECK_STR(layout_ann(m, "global_in"), "['N', 'C']");
    CHECK_STR(layout_ann(m, "global_out"), "['N', 'C']");
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, "Div_0_param0"), 0), 255);
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, "Mul_0_param0"), 1), -2);
    CHECK_EQ_DBL(finn_tensor_get(finn_model_initializer(m, "Add_0_param0"), 2), -3);
    CHECK_STR(values_str(m, 1), "Div_0_param0,Mul_0_param0,Add_0_param0");
    CHECK_STR(values_str(m, 0), "Mul_0_out0,Div_0_out0");
    const finn_value *gi = finn_model_value(m, "global_in");
    CHECK(gi && gi->ndim == 2 && gi->shape[1] == 4 && !gi->in_value_info);

    /* the merged model computes main(pre(x)) exactly */
    for (uint32_t seed = 1; seed <= 3; seed++) {
        finn_exec_ctx *a = run_random(reg, pre_copy, seed);
        finn_exec_ctx *c = finn_exec_ctx_new(&err);
        finn_exec_ctx_set(c, "x", finn_exec_ctx_take(a, "out"), &err);
        CHECK_EQ_INT(finn_execute(reg, main_copy, c, &err), 0);
        finn_exec_ctx *d = run_random(reg, m, seed);
        check_same_tensor(finn_exec_ctx_get(c, "y"), finn_exec_ctx_get(d, "global_out"));
        finn_exec_ctx_free(a);
        finn_exec_ctx_free(c);
        finn_exec_ctx_free(d);
    }

    /* shapes that do not fit: an error, m unchanged, pre freed */
    int64_t other[2] = {1, 5};
    CHECK_EQ_INT(finn_merge_models_in_front(reg, main_copy, pre_model(other), &err), -1);
    CHECK_CONTAINS(err.msg, "(1, 5)");
    CHECK_STR(node_str(main_copy, 0), "Mul_0:Mul(x,w)->t");
    CHECK_STR(main_copy->graph_name, "g");

    finn_model_free(pre_copy);
    finn_model_free(main_copy);
    finn_model_free(m);
    finn_registry_free(reg);
}

/* ---- apply to fixed point ----------------------------------------------------------- */

static int rewrite_calls;
static int count_down(finn_model *m, bool *changed, finn_error *e)
{
    (void)m;
    (void)e;
    rewrite_calls++;
    *changed = rewrite_calls < 3;
    return 0;
}

static int failing(finn_model *m, bool *changed, finn_error *e)
{
    (void)m;
    *changed = true;
    return finn_error_set(e, FINN_ERR_INVALID, "rewrite failed on purpose");
}

static void test_fixed_point(void)
{
    finn_model *m = new_model(13);
    rewrite_calls = 0;
    CHECK_EQ_INT(finn_apply_to_fixed_point(m, count_down, 10, &err), 0);
    CHECK_EQ_INT(rewrite_calls, 3);
    rewrite_calls = 0;
    CHECK_EQ_INT(finn_apply_to_fixed_point(m, count_down, 2, &err), -1);
    CHECK_CONTAINS(err.msg, "after 2 iterations");
    CHECK_EQ_INT(finn_apply_to_fixed_point(m, count_down, 0, &err), -1);
    CHECK_EQ_INT(finn_apply_to_fixed_point(m, failing, 5, &err), -1);
    CHECK_STR(err.msg, "rewrite failed on purpose");
    /* remove_identity_ops has the rewrite signature */
    CHECK_EQ_INT(finn_apply_to_fixed_point(m, finn_remove_identity_ops, 3, &err), 0);
    finn_model_free(m);
}

int main(void)
{
    test_remove_unused();
    test_remove_static_inputs();
    test_sort_commutative();
    test_unique_parameters();
    test_model_cleanup();
    test_readable_names();
    test_readable_names_collisions();
    test_fold_constants();
    test_identity_producer_not_fork();
    test_identity_producer_fork();
    test_identity_graph_io();
    test_identity_kinds();
    test_identity_special();
    test_layouts_4d();
    test_layouts_3d_2d();
    test_merge();
    test_fixed_point();
    return test_done();
}
