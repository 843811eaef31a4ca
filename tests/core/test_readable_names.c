/* test_readable_names.c - GiveReadableTensorNames: the direct way
 * (transform_readable.c) gives byte for byte the model of QONNX's two
 * passes, on graphs chosen to trip it up and on every corpus model. */
#include "finn/model.h"
#include "finn/transforms.h"
#include "readable_names.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static finn_error err;

static void add_node(finn_model *m, const char *op, const char *name, const char *const *in,
                     const char *const *out)
{
    finn_node *n = finn_node_new(op, "", name, &err);
    for (size_t i = 0; in && in[i]; i++)
        finn_node_add_input(n, in[i], &err);
    for (size_t i = 0; out && out[i]; i++)
        finn_node_add_output(n, out[i], &err);
    CHECK_EQ_INT(finn_model_insert_node(m, m->n_nodes, n, &err), 0);
}

static void set_io(finn_model *m, const char *in, const char *out)
{
    int64_t s[2] = {1, 2};
    m->inputs = calloc(1, sizeof(char *));
    m->inputs[0] = strdup(in);
    m->n_inputs = 1;
    m->outputs = calloc(1, sizeof(char *));
    m->outputs[0] = strdup(out);
    m->n_outputs = 1;
    finn_model_set_shape(m, in, FINN_ELEM_FLOAT, 2, s, &err);
    finn_model_set_shape(m, out, FINN_ELEM_FLOAT, 2, s, &err);
}

static void add_weight(finn_model *m, const char *name)
{
    int64_t s[2] = {2, 2};
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 2, s, &err);
    for (int i = 0; i < 4; i++)
        ((float *)t->data)[i] = (float)i;
    CHECK_EQ_INT(finn_model_set_initializer(m, name, t, &err), 0);
}

/* Both ways on copies of m; expect_direct: whether the direct way applies. */
static void compare(const char *what, const finn_model *m, int expect_direct)
{
    finn_model *a = finn_model_clone(m, &err), *b = finn_model_clone(m, &err);
    CHECK(a && b);
    if (!a || !b)
        return;
    bool done = false;
    int ra = finn_readable_names_direct(a, &done, &err);
    if (ra == 0 && !done)
        ra = finn_readable_names_two_pass(a, &err);
    int rb = finn_readable_names_two_pass(b, &err);
    CHECK_EQ_INT(ra, rb);
    if (expect_direct >= 0 && (int)done != expect_direct)
        fprintf(stderr, "%s: direct way %s\n", what, done ? "applied" : "declined");
    if (expect_direct >= 0)
        CHECK_EQ_INT(done, expect_direct);
    void *ba = NULL, *bb = NULL;
    size_t la = 0, lb = 0;
    if (ra == 0 && rb == 0) {
        CHECK_EQ_INT(finn_model_serialize(a, &ba, &la, &err), 0);
        CHECK_EQ_INT(finn_model_serialize(b, &bb, &lb, &err), 0);
        int same = la == lb && memcmp(ba, bb, la) == 0;
        if (!same)
            fprintf(stderr, "%s: the two ways differ\n", what);
        CHECK(same);
        /* the per-prefix name counters agree too */
        char *na = finn_model_unique_tensor_name(a, "tensor_0");
        char *nb = finn_model_unique_tensor_name(b, "tensor_0");
        CHECK_STR(na, nb);
        free(na);
        free(nb);
    }
    free(ba);
    free(bb);
    finn_model_free(a);
    finn_model_free(b);
}

static void test_shapes_of_graphs(void)
{
    /* a chain with arbitrary names */
    finn_model *m = finn_model_new("g", &err);
    set_io(m, "x", "y");
    add_weight(m, "w");
    add_node(m, "Relu", "Relu_0", (const char *[]){"x", NULL}, (const char *[]){"a", NULL});
    add_node(m, "MatMul", "MatMul_0", (const char *[]){"a", "w", NULL},
             (const char *[]){"y", NULL});
    compare("chain", m, 1);
    finn_model_free(m);

    /* names that must move in a cycle: A's output is called B_out0 and B's
     * is called A_out0 */
    m = finn_model_new("g", &err);
    set_io(m, "x", "y");
    add_node(m, "Relu", "A", (const char *[]){"x", NULL}, (const char *[]){"B_out0", NULL});
    add_node(m, "Relu", "B", (const char *[]){"B_out0", NULL}, (const char *[]){"A_out0", NULL});
    add_node(m, "Relu", "C", (const char *[]){"A_out0", NULL}, (const char *[]){"y", NULL});
    compare("cycle", m, 1);
    finn_model_free(m);

    /* an initializer feeding two nodes: the clean-up copies it */
    m = finn_model_new("g", &err);
    set_io(m, "x", "y");
    add_weight(m, "w");
    add_node(m, "MatMul", "M0", (const char *[]){"x", "w", NULL}, (const char *[]){"a", NULL});
    add_node(m, "MatMul", "M1", (const char *[]){"a", "w", NULL}, (const char *[]){"y", NULL});
    compare("shared initializer", m, 0);
    finn_model_free(m);

    /* a name of the throw-away kind */
    m = finn_model_new("g", &err);
    set_io(m, "x", "y");
    add_node(m, "Relu", "R", (const char *[]){"x", NULL}, (const char *[]){"tensor_0", NULL});
    add_node(m, "Relu", "S", (const char *[]){"tensor_0", NULL}, (const char *[]){"y", NULL});
    compare("tensor_ name", m, 0);
    finn_model_free(m);

    /* a node output with a stale initializer of the same name, an unused
     * value_info entry, an omitted optional input and output */
    m = finn_model_new("g", &err);
    set_io(m, "x", "y");
    add_weight(m, "k");
    add_weight(m, "hi");
    int64_t s[2] = {1, 2};
    finn_model_set_shape(m, "unused", FINN_ELEM_FLOAT, 2, s, &err);
    finn_model_value(m, "unused")->in_value_info = true;
    add_node(m, "Relu", "P", (const char *[]){"x", NULL}, (const char *[]){"k", NULL});
    add_node(m, "Clip", "Q", (const char *[]){"k", "", "hi", NULL}, (const char *[]){"z", NULL});
    add_node(m, "Dropout", "D", (const char *[]){"z", NULL}, (const char *[]){"y", "", NULL});
    compare("stale initializer, optional slots", m, 1);
    finn_model_free(m);

    /* a graph input that is also the graph output, next to a node */
    m = finn_model_new("g", &err);
    set_io(m, "x", "x");
    add_node(m, "Relu", "R", (const char *[]){"x", NULL}, (const char *[]){"r", NULL});
    compare("input is output", m, 0);
    finn_model_free(m);

    /* two nodes with one name: both ways refuse */
    m = finn_model_new("g", &err);
    set_io(m, "x", "y");
    add_node(m, "Relu", "R", (const char *[]){"x", NULL}, (const char *[]){"a", NULL});
    add_node(m, "Relu", "R", (const char *[]){"a", NULL}, (const char *[]){"y", NULL});
    compare("repeated node name", m, -1);
    finn_model_free(m);
}

static void test_corpus(const char *shared)
{
    char cmd[4096];
    int st;
    snprintf(cmd, sizeof cmd, "find %s/corpus -name '*.onnx' | sort", shared);
    char *list = test_run(cmd, &st);
    int count = 0;
    for (char *line = strtok(list, "\n"); line; line = strtok(NULL, "\n")) {
        finn_model *m = NULL;
        if (finn_model_load(line, &m, &err) != 0)
            continue;
        if (finn_give_unique_node_names(m, &err) == 0) {
            compare(line, m, -1);
            count++;
        }
        finn_model_free(m);
    }
    CHECK(count >= 13);
    free(list);
}

int main(void)
{
    test_shapes_of_graphs();
    const char *shared = test_shared_dir();
    if (shared)
        test_corpus(shared);
    else
        printf("note: no shared corpus, corpus comparison skipped\n");
    return test_done();
}
