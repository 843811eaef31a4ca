/* test_topk.c - InsertTopK writes the TopK form of the model's opset:
 * k as an attribute before opset 10, as an input from 10, largest/sorted
 * from 11; indices become graph output 0, annotated UINT32. */
#include "finn/transforms.h"
#include "test.h"

#include <stdlib.h>

static finn_error err;

static finn_model *model_with_opset(int64_t opset)
{
    finn_model *m = finn_model_new("g", &err);
    int64_t s[2] = {1, 10};
    m->inputs = calloc(1, sizeof(char *));
    m->inputs[0] = strdup("x");
    m->n_inputs = 1;
    m->outputs = calloc(1, sizeof(char *));
    m->outputs[0] = strdup("y");
    m->n_outputs = 1;
    finn_model_set_shape(m, "x", FINN_ELEM_FLOAT, 2, s, &err);
    finn_model_set_shape(m, "y", FINN_ELEM_FLOAT, 2, s, &err);
    finn_node *n = finn_node_new("Relu", "", "r", &err);
    finn_node_add_input(n, "x", &err);
    finn_node_add_output(n, "y", &err);
    finn_model_insert_node(m, 0, n, &err);
    finn_model_set_opset(m, "", opset, &err);
    return m;
}

int main(void)
{
    static const struct {
        int64_t opset;
        size_t inputs;
        int has_k_attr, has_largest;
    } cases[] = {{9, 1, 1, 0}, {10, 2, 0, 0}, {11, 2, 0, 1}, {13, 2, 0, 1}};
    for (size_t c = 0; c < sizeof cases / sizeof cases[0]; c++) {
        finn_model *m = model_with_opset(cases[c].opset);
        CHECK_EQ_INT(finn_insert_topk(m, 3, &err), 0);
        const finn_node *t = m->nodes[1];
        CHECK_STR(t->op_type, "TopK");
        CHECK_EQ_INT(t->n_inputs, cases[c].inputs);
        CHECK_EQ_INT(finn_node_attr_i(t, "k", -1), cases[c].has_k_attr ? 3 : -1);
        CHECK_EQ_INT(finn_node_attr(t, "largest") != NULL, cases[c].has_largest);
        CHECK_EQ_INT(finn_node_attr(t, "sorted") != NULL, cases[c].has_largest);
        CHECK_EQ_INT(finn_node_attr_i(t, "axis", 0), -1);
        if (cases[c].inputs == 2) {
            const finn_tensor *k = finn_model_initializer(m, t->inputs[1]);
            CHECK(k && k->type == FINN_ELEM_INT64 && ((int64_t *)k->data)[0] == 3);
        }
        CHECK_STR(m->outputs[0], t->outputs[1]);
        CHECK_STR(finn_model_annotation(m, m->outputs[0], "finn_datatype"), "UINT32");
        const finn_value *v = finn_model_value(m, m->outputs[0]);
        CHECK(v && v->elem == FINN_ELEM_INT64 && v->ndim == 2 && v->shape[1] == 3);
        /* a second call does nothing: output 0 already comes from a TopK */
        CHECK_EQ_INT(finn_insert_topk(m, 3, &err), 0);
        CHECK_EQ_INT(m->n_nodes, 2);
        finn_model_free(m);
    }
    finn_model *m = model_with_opset(13);
    CHECK_EQ_INT(finn_insert_topk(m, 11, &err), -1);
    CHECK_STR(err.msg, "InsertTopK: k=11 is larger than the last dimension (10) of 'y'");
    finn_model_free(m);
    return test_done();
}
