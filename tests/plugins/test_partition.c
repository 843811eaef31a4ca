/* test_partition.c - step_create_dataflow_partition through finn_build_run:
 * the parent/child files, the StreamingDataflowPartition node and its
 * attributes, the child's graph io, template_specialize_layers_config.json
 * byte for byte, execution of the parent equal to the original graph, and
 * FINN's errors (HW -> non-HW -> HW, several partition ids, no HW node). */
#include "finn/builder.h"
#include "finn/config.h"
#include "finn/exec.h"
#include "finn/plugin.h"
#include "finn/registry.h"
#include "test.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static finn_error err;
static int n_run;

static finn_registry *load_registry(void)
{
    const char *dir = test_env("FINN_PLUGIN_DIR", NULL);
    if (!dir)
        exit(77);
    static const char *const NAMES[] = {"onnx_math", "hw_compute", "hw_stream", "partition"};
    finn_registry *reg = finn_registry_new(&err);
    for (size_t i = 0; i < sizeof NAMES / sizeof NAMES[0]; i++) {
        char path[1024];
        snprintf(path, sizeof path, "%s/%s.so", dir, NAMES[i]);
        if (finn_plugin_load(reg, path, &err)) {
            fprintf(stderr, "cannot load %s: %s\n", path, err.msg);
            exit(1);
        }
    }
    return reg;
}

static void add_str(char ***arr, size_t *n, const char *s)
{
    *arr = realloc(*arr, (*n + 1) * sizeof **arr);
    (*arr)[(*n)++] = strdup(s);
}

static void relu(finn_model *m, const char *name, const char *in, const char *out)
{
    finn_node *n = finn_node_new("Relu", "", name, &err);
    finn_node_add_input(n, in, &err);
    finn_node_add_output(n, out, &err);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    finn_model_set_shape(m, out, FINN_ELEM_FLOAT, 2, (int64_t[]){1, 4}, &err);
}

/* Thresholding over 4 channels, thresholds {c, c+1} per channel c. */
static finn_node *thres(finn_model *m, const char *name, const char *in, const char *out)
{
    finn_node *n = finn_node_new("Thresholding", FINN_HW_DOMAIN, name, &err);
    char tn[64];
    snprintf(tn, sizeof tn, "%s_T", name);
    finn_node_add_input(n, in, &err);
    finn_node_add_input(n, tn, &err);
    finn_node_add_output(n, out, &err);
    finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
    finn_node_set_attr_i(n, "PE", 1, &err);
    finn_node_set_attr_i(n, "NumChannels", 4, &err);
    finn_node_set_attr_i(n, "numSteps", 2, &err);
    finn_node_set_attr_s(n, "inputDataType", "UINT4", &err);
    finn_node_set_attr_s(n, "weightDataType", "UINT4", &err);
    finn_node_set_attr_s(n, "outputDataType", "UINT2", &err);
    finn_tensor *t = finn_tensor_new(FINN_ELEM_FLOAT, 2, (int64_t[]){4, 2}, &err);
    for (size_t i = 0; i < 8; i++)
        finn_tensor_set(t, i, (double)(i / 2 + i % 2));
    finn_model_set_initializer(m, tn, t, &err);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    finn_model_set_shape(m, out, FINN_ELEM_FLOAT, 2, (int64_t[]){1, 4}, &err);
    finn_model_set_datatype(m, out, finn_dt_uint(2), &err);
    return n;
}

static finn_node *dwc(finn_model *m, const char *name, const char *in, const char *out)
{
    finn_node *n = finn_node_new("StreamingDataWidthConverter", FINN_HW_DOMAIN, name, &err);
    finn_node_add_input(n, in, &err);
    finn_node_add_output(n, out, &err);
    finn_node_set_attr_s(n, "backend", "fpgadataflow", &err);
    finn_node_set_attr_ints(n, "shape", (int64_t[]){1, 4}, 2, &err);
    finn_node_set_attr_i(n, "inWidth", 2, &err);
    finn_node_set_attr_i(n, "outWidth", 4, &err);
    finn_node_set_attr_s(n, "dataType", "UINT2", &err);
    finn_node_set_attr_s(n, "preferred_impl_style", "hls", &err);
    finn_model_insert_node(m, m->n_nodes, n, &err);
    finn_model_set_shape(m, out, FINN_ELEM_FLOAT, 2, (int64_t[]){1, 4}, &err);
    return n;
}

static finn_model *new_model(void)
{
    finn_model *m = finn_model_new("g", &err);
    finn_model_set_opset(m, "", 13, &err);
    finn_model_set_shape(m, "x", FINN_ELEM_FLOAT, 2, (int64_t[]){1, 4}, &err);
    add_str(&m->inputs, &m->n_inputs, "x");
    add_str(&m->outputs, &m->n_outputs, "y");
    return m;
}

/* x -> Relu_0 -> Thresholding_0 -> StreamingDataWidthConverter_0 -> Relu_1 -> y */
static finn_model *good_model(void)
{
    finn_model *m = new_model();
    relu(m, "Relu_0", "x", "r0");
    thres(m, "Thresholding_0", "r0", "t0");
    dwc(m, "StreamingDataWidthConverter_0", "t0", "d0");
    relu(m, "Relu_1", "d0", "y");
    return m;
}

/* Run [step_create_dataflow_partition]; the output dir in *dir. */
static int run(finn_registry *reg, const finn_model *m, char *dir, size_t dsz)
{
    char path[1200], text[3000];
    snprintf(dir, dsz, "%s/run%d", test_tmpdir(), n_run++);
    snprintf(path, sizeof path, "%s.onnx", dir);
    CHECK_EQ_INT(finn_model_save(m, path, &err), 0);
    snprintf(text, sizeof text,
             "model: %s\noutput_dir: %s\nsynth_clk_period_ns: 10.0\n"
             "steps: [step_create_dataflow_partition]\n",
             path, dir);
    finn_config *cfg = finn_config_new(&err);
    CHECK_EQ_INT(finn_config_load_string(cfg, text, "test recipe", test_tmpdir(), &err), 0);
    FILE *null = fopen("/dev/null", "w");
    finn_build_opts opts = {NULL, null};
    int rc = finn_build_run(reg, cfg, &opts, &err);
    fclose(null);
    finn_config_free(cfg);
    return rc;
}

static finn_model *load(const char *dir, const char *rel)
{
    char path[1400];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    finn_model *m = NULL;
    if (finn_model_load(path, &m, &err)) {
        fprintf(stderr, "%s\n", err.msg);
        return NULL;
    }
    return m;
}

static void test_structure_and_exec(finn_registry *reg)
{
    finn_model *orig = good_model();
    char dir[1024];
    CHECK_EQ_INT(run(reg, orig, dir, sizeof dir), 0);
    finn_model *parent = load(dir, "intermediate_models/dataflow_parent.onnx");
    finn_model *child = load(dir, "intermediate_models/supported_op_partitions/partition_0.onnx");
    finn_model *step = load(dir, "intermediate_models/step_create_dataflow_partition.onnx");
    CHECK(parent && child && step);
    if (!parent || !child || !step)
        goto done;
    /* parent: Relu_0, the partition node where the HW region started, Relu_1 */
    CHECK_EQ_INT(parent->n_nodes, 3);
    CHECK_STR(parent->nodes[0]->name, "Relu_0");
    const finn_node *sdp = parent->nodes[1];
    CHECK_STR(sdp->op_type, "StreamingDataflowPartition");
    CHECK_STR(sdp->domain, "finn.custom_op.fpgadataflow");
    CHECK_STR(sdp->name, "GenericPartition_0");
    CHECK_EQ_INT(sdp->n_inputs, 1);
    CHECK_STR(sdp->inputs[0], "r0");
    CHECK_EQ_INT(sdp->n_outputs, 1);
    CHECK_STR(sdp->outputs[0], "d0");
    CHECK_STR(parent->nodes[2]->name, "Relu_1");
    /* attributes in FINN's order: model, partition_id, slr, mem_port */
    char want[1400];
    snprintf(want, sizeof want, "%s/intermediate_models/supported_op_partitions/partition_0.onnx",
             dir);
    CHECK_EQ_INT(sdp->n_attrs, 4);
    if (sdp->n_attrs == 4) {
        CHECK_STR(sdp->attrs[0].name, "model");
        CHECK_STR(sdp->attrs[0].s, want);
        CHECK_STR(sdp->attrs[1].name, "partition_id");
        CHECK_EQ_INT(sdp->attrs[1].i, 0);
        CHECK_STR(sdp->attrs[2].name, "slr");
        CHECK_EQ_INT(sdp->attrs[2].i, -1);
        CHECK_STR(sdp->attrs[3].name, "mem_port");
        CHECK_STR(sdp->attrs[3].s, "");
    }
    /* the HW parameters moved to the child */
    CHECK(finn_model_initializer(parent, "Thresholding_0_T") == NULL);
    CHECK(finn_model_initializer(child, "Thresholding_0_T") != NULL);
    /* child: the two HW nodes, graph io = the partition's boundary tensors */
    CHECK_EQ_INT(child->n_nodes, 2);
    CHECK_STR(child->nodes[0]->name, "Thresholding_0");
    CHECK_STR(child->nodes[1]->name, "StreamingDataWidthConverter_0");
    CHECK_EQ_INT(child->n_inputs, 1);
    CHECK_STR(child->inputs[0], "r0");
    CHECK_EQ_INT(child->n_outputs, 1);
    CHECK_STR(child->outputs[0], "d0");
    /* the build goes on with the child */
    CHECK_EQ_INT(step->n_nodes, 2);
    CHECK_STR(step->inputs[0], "r0");

    /* the template: FINN's extract_model_config_to_json format */
    char tpath[1200];
    snprintf(tpath, sizeof tpath, "%s/template_specialize_layers_config.json", dir);
    char *tmpl = test_read_file(tpath, NULL);
    CHECK_STR(tmpl, "{\n"
                    "  \"Defaults\": {},\n"
                    "  \"Thresholding_0\": {\n"
                    "    \"preferred_impl_style\": \"\"\n"
                    "  },\n"
                    "  \"StreamingDataWidthConverter_0\": {\n"
                    "    \"preferred_impl_style\": \"hls\"\n"
                    "  }\n"
                    "}");
    free(tmpl);

    /* parent execution (through the child) equals the original graph:
     * x = {-3, 1, 2, 5}: relu {0, 1, 2, 5}; thresholds of channel c are
     * {c, c+1}: counts {1, 1, 1, 2}; DWC and Relu keep them. */
    const float xv[4] = {-3, 1, 2, 5};
    const double expect[4] = {1, 1, 1, 2};
    const finn_model *models[2] = {orig, parent};
    for (int k = 0; k < 2; k++) {
        finn_exec_ctx *ctx = finn_exec_ctx_new(&err);
        finn_tensor *x = finn_tensor_new(FINN_ELEM_FLOAT, 2, (int64_t[]){1, 4}, &err);
        for (size_t i = 0; i < 4; i++)
            finn_tensor_set(x, i, xv[i]);
        finn_exec_ctx_set(ctx, "x", x, &err);
        int rc = finn_execute(reg, models[k], ctx, &err);
        CHECK_EQ_INT(rc, 0);
        if (rc)
            fprintf(stderr, "%s\n", err.msg);
        finn_tensor *y = finn_exec_ctx_get(ctx, "y");
        CHECK(y != NULL);
        for (size_t i = 0; y && i < 4; i++)
            CHECK_EQ_DBL(finn_tensor_get(y, i), expect[i]);
        finn_exec_ctx_free(ctx);
    }
done:
    finn_model_free(orig);
    finn_model_free(parent);
    finn_model_free(child);
    finn_model_free(step);
}

static void test_errors(finn_registry *reg)
{
    char dir[1024];
    /* HW -> non-HW -> HW */
    finn_model *m = new_model();
    thres(m, "Thresholding_0", "x", "t0");
    relu(m, "Relu_0", "t0", "r0");
    dwc(m, "StreamingDataWidthConverter_0", "r0", "y");
    CHECK(run(reg, m, dir, sizeof dir) != 0);
    CHECK_CONTAINS(err.msg, "step step_create_dataflow_partition (plugin partition): "
                            "cycle-free graph violated: partition depends on itself");
    finn_model_free(m);

    /* two partition ids */
    m = new_model();
    finn_node *t = thres(m, "Thresholding_0", "x", "t0");
    finn_node_set_attr_i(t, "partition_id", 1, &err);
    dwc(m, "StreamingDataWidthConverter_0", "t0", "y");
    CHECK(run(reg, m, dir, sizeof dir) != 0);
    CHECK_CONTAINS(err.msg, "Only a single StreamingDataflowPartition supported. (found 2;");
    finn_model_free(m);

    /* no HW node */
    m = new_model();
    relu(m, "Relu_0", "x", "y");
    CHECK(run(reg, m, dir, sizeof dir) != 0);
    CHECK_CONTAINS(err.msg, "Only a single StreamingDataflowPartition supported. (found 0;");
    finn_model_free(m);
}

int main(void)
{
    finn_registry *reg = load_registry();
    test_structure_and_exec(reg);
    test_errors(reg);
    finn_registry_free(reg);
    return test_done();
}
